// What the pipeline watcher keeps of each execution, in the results table: the CodePipeline events
// it was given (each once, by its EventBridge id, so a duplicate delivery adds nothing), how far
// it has told the execution's story, under a lease so two invocations never tell it at once, and,
// for executions that succeeded, how long each stage took — the history expected finish times
// come from. Apart from runs and their units: executors can never write here (PIPELINE#*).
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from './table.ts';

/** One CodePipeline state change, as the watcher keeps it. */
export interface PipelineEvent {
  /** EventBridge's event id: the same on every delivery of one event. */
  id: string;
  /** When the state changed. */
  at: string;
  pipeline: string;
  executionId: string;
  scope: 'execution' | 'stage';
  stage?: string;
  /** STARTED, SUCCEEDED, FAILED, STOPPING, STOPPED, SUPERSEDED, CANCELED, RESUMED. */
  state: string;
  /** The execution's start, as the event gives it. */
  startTime?: string;
  /** What started it: the event's execution-trigger (type, detail, and for triggers on Git pushes the commit). */
  trigger?: Record<string, string>;
  region?: string;
  /** When the watcher was given it: how long the execution has been quiet is counted from here. */
  receivedAt?: string;
  /** Why it was stopped (STOPPING, STOPPED): the comment given with StopPipelineExecution. */
  comment?: string;
}

/** How long each stage of one succeeded execution took. */
export interface ExecutionTimes {
  executionId: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  stageMs: Record<string, number>;
  /** The pipeline's stages in order, and which one runs the tests: what follows a run. */
  stages?: string[];
  testStage?: string;
}

export interface PipelineLog {
  /** Keeps an event; false when this very event (its id) was kept before. */
  record(event: PipelineEvent): Promise<boolean>;
  /** An execution's events, in no particular order. */
  events(pipeline: string, executionId: string): Promise<PipelineEvent[]>;
  /**
   * Takes the lease on telling an execution until `until` (ms), unless another holder's has not run
   * out by `now`. Answers how far the story was told (-1: nothing yet), or undefined when it is held.
   */
  lease(pipeline: string, executionId: string, holder: string, until: number, now: number): Promise<number | undefined>;
  /** Records that the story is told through `told`, while `holder` holds the lease. */
  told(pipeline: string, executionId: string, holder: string, told: number): Promise<void>;
  release(pipeline: string, executionId: string, holder: string): Promise<void>;
  /** Notes an execution as not yet told to its end, and when it last heard from it. */
  opened(pipeline: string, executionId: string, heardAt: string): Promise<void>;
  /** The execution's story is told to its end. */
  closed(pipeline: string, executionId: string): Promise<void>;
  /** Executions not told to their end, and when each last heard from CodePipeline. */
  open(pipeline: string): Promise<{ executionId: string; heardAt: string }[]>;
  /** Writes a key once; false when it was written before (one reminder per interval). */
  once(pipeline: string, key: string): Promise<boolean>;
  finished(pipeline: string, times: ExecutionTimes): Promise<void>;
  /** The latest succeeded executions, newest first. */
  history(pipeline: string, limit: number): Promise<ExecutionTimes[]>;
}

const executionPk = (pipeline: string, executionId: string) => `PIPELINE#${pipeline}#${executionId}`;
const pipelinePk = (pipeline: string) => `PIPELINE#${pipeline}`;
/** Pipeline partitions: the watcher's alone (infra/README.md, IAM). */
export const PIPELINE_PARTITIONS = 'PIPELINE#*';
const CURSOR = 'CURSOR';

const failedCondition = (error: unknown) => error instanceof ConditionalCheckFailedException;

export class DynamoPipelineLog implements PipelineLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    /** Seconds since the epoch after which an execution's items may go (DynamoDB TTL); none: kept. */
    private readonly expiresAt?: () => number,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private expiry(): Record<string, number> {
    return this.expiresAt ? { [TTL_ATTRIBUTE]: this.expiresAt() } : {};
  }

  async record(event: PipelineEvent): Promise<boolean> {
    return this.putNew({ pk: executionPk(event.pipeline, event.executionId), sk: `EVENT#${event.id}`, event });
  }

  /** Writes an item unless one with its key exists; false when it did. */
  private async putNew(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...item, ...this.expiry() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (failedCondition(error)) return false;
      throw error;
    }
  }

  async events(pipeline: string, executionId: string): Promise<PipelineEvent[]> {
    const found: PipelineEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
          ExpressionAttributeValues: { ':pk': executionPk(pipeline, executionId), ':events': 'EVENT#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(page.Items ?? []).map((item) => item.event as PipelineEvent));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  async lease(
    pipeline: string,
    executionId: string,
    holder: string,
    until: number,
    now: number,
  ): Promise<number | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: executionPk(pipeline, executionId), sk: CURSOR },
          UpdateExpression: 'SET holder = :holder, #until = :until, told = if_not_exists(told, :none)',
          ConditionExpression: 'attribute_not_exists(holder) OR #until < :now OR holder = :holder',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':holder': holder, ':until': until, ':now': now, ':none': -1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Number(Attributes?.told ?? -1);
    } catch (error) {
      if (failedCondition(error)) return undefined;
      throw error;
    }
  }

  async told(pipeline: string, executionId: string, holder: string, told: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: executionPk(pipeline, executionId), sk: CURSOR },
        UpdateExpression: 'SET told = :told',
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':told': told, ':holder': holder },
      }),
    );
  }

  async release(pipeline: string, executionId: string, holder: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: executionPk(pipeline, executionId), sk: CURSOR },
          UpdateExpression: 'REMOVE holder, #until',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      // Another holder took it after ours ran out: theirs to give back.
      if (!failedCondition(error)) throw error;
    }
  }

  async opened(pipeline: string, executionId: string, heardAt: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: pipelinePk(pipeline), sk: `OPEN#${executionId}`, executionId, heardAt, ...this.expiry() },
      }),
    );
  }

  async closed(pipeline: string, executionId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: pipelinePk(pipeline), sk: `OPEN#${executionId}` } }),
    );
  }

  async open(pipeline: string): Promise<{ executionId: string; heardAt: string }[]> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :open)',
        ExpressionAttributeValues: { ':pk': pipelinePk(pipeline), ':open': 'OPEN#' },
      }),
    );
    return (Items ?? []).map((item) => ({ executionId: String(item.executionId), heardAt: String(item.heardAt) }));
  }

  async once(pipeline: string, key: string): Promise<boolean> {
    return this.putNew({ pk: pipelinePk(pipeline), sk: `ONCE#${key}` });
  }

  async finished(pipeline: string, times: ExecutionTimes): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: pipelinePk(pipeline), sk: `DONE#${times.startedAt}#${times.executionId}`, times, ...this.expiry() },
      }),
    );
  }

  async history(pipeline: string, limit: number): Promise<ExecutionTimes[]> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :done)',
        ExpressionAttributeValues: { ':pk': pipelinePk(pipeline), ':done': 'DONE#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => item.times as ExecutionTimes);
  }
}
