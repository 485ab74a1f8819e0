// ResultStore over the DynamoDB API. The same code talks to DynamoDB, DynamoDB Local and the
// embedded dynalite; only the client's endpoint differs.
import { DynamoPipelineLog } from './pipeline-log.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { writtenIf } from './conditional.ts';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { backoffMs } from '../aws/backoff.ts';
import {
  RUN_ID_PATTERN,
  type Release,
  type RunEvent,
  type RunMeta,
  type UnitRecord,
  type UnitRef,
  type UnitStatus,
} from '../core/model.ts';
import type { Page, ResultStore, SeatRecord, TargetLease } from './result-store.ts';
import {
  INDEX,
  META_SK,
  RUNS_PARTITION,
  RELEASES_PARTITION,
  TTL_ATTRIBUTE,
  batchSk,
  seatSk,
  eventSk,
  onceEventSk,
  releaseSk,
  LEASE_SK,
  targetPk,
  runPk,
  unitsPk,
  approvalPk,
  unitSk,
} from './table.ts';
import { InfraError, UsageError } from '../core/errors.ts';
import { deleteExpired, type Expired } from './expiry.ts';
import { FINAL_STATUSES } from '../core/statuses.ts';
import { isApprovalEvent } from '../core/events.ts';

/** DynamoDB items top out at 400 KB; a runaway stack trace must not make a result unwritable. */
const MAX_TEXT = 16_000;
const WRITE_CONCURRENCY = 16;

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  /** Items expire this many days after they are written; off when absent. */
  retentionDays?: number;
  /** Called when the store is closed, e.g. to stop an embedded server. */
  onClose?: () => Promise<void>;
  /** Tries of a batch write whose items DynamoDB keeps handing back unprocessed. @default 10 */
  batchTries?: number;
}

const clip = (text: string | undefined) =>
  text && text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n… (${text.length - MAX_TEXT} more characters)` : text;

function strip<T extends Record<string, unknown>>(item: T, ...keys: string[]): T {
  const copy: Record<string, unknown> = { ...item };
  for (const key of keys) delete copy[key];
  return copy as T;
}

export class DynamoStore implements ResultStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private eventCounter = 0;

  constructor(private readonly options: DynamoStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    });
    this.table = options.table;
  }

  /** The pipeline watcher's records, in the same table and under the same retention. */
  pipelineLog(): DynamoPipelineLog {
    const days = this.options.retentionDays;
    return new DynamoPipelineLog(
      this.options.client,
      this.table,
      days ? () => Math.floor(Date.now() / 1000) + days * 86_400 : undefined,
    );
  }

  private expiry(): Record<string, number> {
    if (!this.options.retentionDays) return {};
    return { [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + this.options.retentionDays * 86_400 };
  }

  async createRun(meta: RunMeta): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: runPk(meta.runId), sk: META_SK, gsi1pk: RUNS_PARTITION, ...meta, ...this.expiry() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Sets the given fields; a field given as undefined is removed (a resumed run has no end yet). */
  async updateRun(runId: string, patch: Partial<Omit<RunMeta, 'runId'>>): Promise<void> {
    const entries = Object.entries(patch);
    const set = entries.filter(([, value]) => value !== undefined);
    const remove = entries.filter(([, value]) => value === undefined);
    if (entries.length === 0) return;
    const names = Object.fromEntries(entries.map(([key], i) => [`#k${i}`, key]));
    const at = (key: string) => `#k${entries.findIndex(([k]) => k === key)}`;
    const clauses = [
      set.length ? 'SET ' + set.map(([key], i) => `${at(key)} = :v${i}`).join(', ') : '',
      remove.length ? 'REMOVE ' + remove.map(([key]) => at(key)).join(', ') : '',
    ].filter(Boolean);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: runPk(runId), sk: META_SK },
        UpdateExpression: clauses.join(' '),
        ExpressionAttributeNames: names,
        ...(set.length
          ? { ExpressionAttributeValues: Object.fromEntries(set.map(([, value], i) => [`:v${i}`, value])) }
          : {}),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async getRun(runId: string): Promise<RunMeta | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: runPk(runId), sk: META_SK } }),
    );
    return Item ? (strip(Item, 'pk', 'sk', 'gsi1pk', TTL_ATTRIBUTE) as unknown as RunMeta) : undefined;
  }

  async listRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<RunMeta>> {
    const limit = Math.min(Math.max(options.limit ?? 25, 1), 100);
    let start: Record<string, unknown> | undefined;
    if (options.cursor) {
      if (!RUN_ID_PATTERN.test(options.cursor))
        throw new UsageError(`bad cursor "${options.cursor}": pass back the cursor of the previous page`);
      start = { pk: runPk(options.cursor), sk: META_SK, gsi1pk: RUNS_PARTITION, runId: options.cursor };
    }
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.byTime,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': RUNS_PARTITION },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    // Only runs' own items: one written elsewhere (an executor's UNITS# partition) is no run.
    const items = (result.Items ?? [])
      .filter((item) => item.pk === runPk(String(item.runId)) && item.sk === META_SK)
      .map((item) => strip(item, 'pk', 'sk', 'gsi1pk', TTL_ATTRIBUTE) as unknown as RunMeta);
    const last = result.LastEvaluatedKey?.runId as string | undefined;
    return { items, cursor: last };
  }

  async queueUnits(runId: string, units: readonly UnitRef[], options: { fresh?: boolean } = {}): Promise<void> {
    const limit = pLimit(WRITE_CONCURRENCY);
    if (options.fresh) {
      // A run nobody else can have written to yet: 25 unconditional items a call, ~7 × faster.
      const items = units.map((unit) => ({
        PutRequest: { Item: this.unitItem({ ...unit, runId, status: 'queued', seq: 0, attempt: 0 }) },
      }));
      await Promise.all(
        Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
          limit(async () => {
            let request: Record<string, (typeof items)[number][]> | undefined = {
              [this.table]: items.slice(i * 25, i * 25 + 25),
            };
            const tries = this.options.batchTries ?? 10;
            for (let attempt = 0; request && Object.keys(request).length; attempt++) {
              // DynamoDB hands back what it could not take (throttled): a bounded wait, then a clear failure.
              if (attempt === tries)
                throw new InfraError(
                  `DynamoDB left ${request[this.table]?.length ?? 0} of the run's units unwritten after ${tries} tries of BatchWriteItem (throttled: raise the table's capacity or use on-demand)`,
                );
              if (attempt) await new Promise((ok) => setTimeout(ok, backoffMs(attempt, 50, 2_000)));
              const answer = await this.doc.send(new BatchWriteCommand({ RequestItems: request }));
              request = answer.UnprocessedItems as typeof request;
            }
          }),
        ),
      );
      return;
    }
    await Promise.all(
      units.map((unit) =>
        limit(async () => {
          const record: UnitRecord = { ...unit, runId, status: 'queued', seq: 0, attempt: 0 };
          // Already there: a result that arrived first is kept.
          await writtenIf(
            this.doc.send(
              new PutCommand({
                TableName: this.table,
                Item: this.unitItem(record),
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            ),
          );
        }),
      ),
    );
  }

  private unitItem(unit: UnitRecord) {
    const error = unit.error && { message: clip(unit.error.message) ?? '', stack: clip(unit.error.stack) };
    const attempts = unit.attempts?.map((attempt) => ({
      ...attempt,
      error: attempt.error && { message: clip(attempt.error.message) ?? '' },
    }));
    return {
      pk: unitsPk(unit.runId),
      sk: unitSk(unit.key),
      unitKey: unit.key,
      ...unit,
      error,
      attempts,
      ...this.expiry(),
    };
  }

  async recordUnit(unit: UnitRecord): Promise<boolean> {
    const finals = FINAL_STATUSES.map((_, i) => `:f${i}`);
    // A setup test runs in every batch of its dependents, all at the same seq: the first result
    // stands, except that a failure anywhere replaces a pass — the dependents it skipped must show why.
    const failureWins =
      unit.role === 'dependency' && unit.status === 'failed'
        ? ' OR (#seq = :seq AND #status IN (:passed, :flaky, :skipped))'
        : '';
    return writtenIf(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: this.unitItem(unit),
          ConditionExpression: `attribute_not_exists(pk) OR #seq < :seq OR (#seq = :seq AND NOT (#status IN (${finals.join(', ')})))${failureWins}`,
          ExpressionAttributeNames: { '#seq': 'seq', '#status': 'status' },
          ExpressionAttributeValues: {
            ':seq': unit.seq,
            ...Object.fromEntries(FINAL_STATUSES.map((status, i) => [`:f${i}`, status])),
            ...(failureWins ? { ':passed': 'passed', ':flaky': 'flaky', ':skipped': 'skipped' } : {}),
          },
        }),
      ),
    );
  }

  async closeUnits(
    runId: string,
    keys: readonly string[],
    status: UnitStatus,
    { seq, reason }: { seq: number; reason?: string },
  ): Promise<number> {
    const limit = pLimit(WRITE_CONCURRENCY);
    const finals = FINAL_STATUSES.map((_, i) => `:f${i}`);
    const now = new Date().toISOString();
    const written = await Promise.all(
      keys.map((key) =>
        limit(async () => {
          const closed = await writtenIf(
            this.doc.send(
              new UpdateCommand({
                TableName: this.table,
                Key: { pk: unitsPk(runId), sk: unitSk(key) },
                UpdateExpression: reason
                  ? 'SET #status = :s, #seq = :seq, finishedAt = :now, #error = :e'
                  : 'SET #status = :s, #seq = :seq, finishedAt = :now',
                ConditionExpression: `attribute_exists(pk) AND NOT (#status IN (${finals.join(', ')})) AND #seq <= :seq`,
                ExpressionAttributeNames: {
                  '#status': 'status',
                  '#seq': 'seq',
                  ...(reason ? { '#error': 'error' } : {}),
                },
                ExpressionAttributeValues: {
                  ':s': status,
                  ':seq': seq,
                  ':now': now,
                  ...(reason ? { ':e': { message: reason } } : {}),
                  ...Object.fromEntries(FINAL_STATUSES.map((final, i) => [`:f${i}`, final])),
                },
              }),
            ),
          );
          return closed ? 1 : 0;
        }),
      ),
    );
    return written.reduce<number>((sum, n) => sum + n, 0);
  }

  async getUnits(runId: string): Promise<UnitRecord[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :unit)',
      ExpressionAttributeValues: { ':pk': unitsPk(runId), ':unit': 'UNIT#' },
    });
    return items.map((item) => strip(item, 'pk', 'sk', 'unitKey', TTL_ATTRIBUTE) as unknown as UnitRecord);
  }

  async getUnitsByKey(runId: string, keys: readonly string[]): Promise<UnitRecord[]> {
    const limit = pLimit(WRITE_CONCURRENCY);
    const tries = this.options.batchTries ?? 10;
    const pages = await Promise.all(
      // BatchGetItem takes at most 100 keys a call (DynamoDB API reference, BatchGetItem).
      Array.from({ length: Math.ceil(new Set(keys).size / 100) }, (_, i) =>
        limit(async () => {
          const found: Record<string, unknown>[] = [];
          let request: BatchGetCommandInput['RequestItems'] = {
            [this.table]: {
              Keys: [...new Set(keys)].slice(i * 100, i * 100 + 100).map((key) => ({
                pk: unitsPk(runId),
                sk: unitSk(key),
              })),
              ConsistentRead: true,
            },
          };
          for (let attempt = 0; request && Object.keys(request).length; attempt++) {
            // What DynamoDB hands back unread (throttled): a bounded wait, then a clear failure.
            if (attempt === tries)
              throw new InfraError(
                `DynamoDB left ${request[this.table]?.Keys?.length ?? 0} units unread after ${tries} tries of BatchGetItem (throttled: raise the table's capacity or use on-demand)`,
              );
            if (attempt) await new Promise((ok) => setTimeout(ok, backoffMs(attempt, 50, 2_000)));
            const answer: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
            found.push(...(answer.Responses?.[this.table] ?? []));
            request = answer.UnprocessedKeys;
          }
          return found;
        }),
      ),
    );
    return pages.flat().map((item) => strip(item, 'pk', 'sk', 'unitKey', TTL_ATTRIBUTE) as unknown as UnitRecord);
  }

  async unitHistory(unitKey: string, options: { limit?: number } = {}): Promise<UnitRecord[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.byUnit,
        KeyConditionExpression: 'unitKey = :k',
        ExpressionAttributeValues: { ':k': unitKey },
        ScanIndexForward: false,
        Limit: Math.min(Math.max(options.limit ?? 30, 1), 200),
      }),
    );
    return Items.map((item) => ({ ...strip(item, 'pk', 'sk', 'unitKey'), key: item.unitKey }) as unknown as UnitRecord);
  }

  async putBatch(runId: string, batchId: string, dispatchTry: number, unitKeys: readonly string[]): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: unitsPk(runId),
          sk: batchSk(batchId, dispatchTry),
          runId,
          batchId,
          dispatch: dispatchTry,
          unitKeys,
          ...this.expiry(),
        },
      }),
    );
  }

  async getBatch(runId: string, batchId: string, dispatchTry: number): Promise<string[] | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: unitsPk(runId), sk: batchSk(batchId, dispatchTry) } }),
    );
    return Item ? ((Item.unitKeys ?? []) as string[]) : undefined;
  }

  async readySeat(runId: string, seatId: string, buildId: string, last?: SeatRecord['last']): Promise<boolean> {
    const Key = { pk: unitsPk(runId), sk: seatSk(seatId) };
    if (!last)
      return writtenIf(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...Key, runId, seatId, state: 'ready', buildId, ...this.expiry() },
            // Released before its worker came up (the run ended, or had no batch left for it).
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    return writtenIf(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'SET #state = :ready, #last = :last REMOVE #batch',
          ConditionExpression: '#state = :assigned AND #batch.batchId = :batchId AND #batch.dispatchTry = :try',
          ExpressionAttributeNames: { '#state': 'state', '#last': 'last', '#batch': 'batch' },
          ExpressionAttributeValues: {
            ':ready': 'ready',
            ':assigned': 'assigned',
            ':last': last,
            ':batchId': last.batchId,
            ':try': last.dispatchTry,
          },
        }),
      ),
    );
  }

  async getSeat(runId: string, seatId: string): Promise<SeatRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: unitsPk(runId), sk: seatSk(seatId) },
        ConsistentRead: true,
      }),
    );
    return Item ? seatOf(Item) : undefined;
  }

  async listSeats(runId: string): Promise<SeatRecord[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seat)',
      ExpressionAttributeValues: { ':pk': unitsPk(runId), ':seat': 'SEAT#' },
      ConsistentRead: true,
    });
    return items.map(seatOf);
  }

  async assignSeat(runId: string, seatId: string, batch: NonNullable<SeatRecord['batch']>): Promise<boolean> {
    return writtenIf(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: unitsPk(runId), sk: seatSk(seatId) },
          UpdateExpression: 'SET #state = :assigned, #batch = :batch',
          ConditionExpression: '#state = :ready',
          ExpressionAttributeNames: { '#state': 'state', '#batch': 'batch' },
          ExpressionAttributeValues: { ':assigned': 'assigned', ':ready': 'ready', ':batch': batch },
        }),
      ),
    );
  }

  async releaseSeat(runId: string, seatId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: unitsPk(runId), sk: seatSk(seatId) },
        UpdateExpression: 'SET #state = :released, runId = :runId, seatId = :seatId',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':released': 'released', ':runId': runId, ':seatId': seatId },
      }),
    );
  }

  async addEvent(event: RunEvent, options: { once?: string } = {}): Promise<boolean> {
    const expiry = await this.eventExpiry(event.runId);
    if (options.once !== undefined) {
      // A deterministic sort key makes the write itself the check: a second submission is refused by
      // DynamoDB, not by a read that a concurrent writer could race.
      const item = { pk: eventPk(event), sk: onceEventSk(options.once), ...event, ...expiry };
      return writtenIf(
        this.doc.send(
          new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        ),
      );
    }
    // The counter keeps two events of the same millisecond from overwriting each other.
    for (;;) {
      const n = this.eventCounter++ % 10_000;
      const item = { pk: eventPk(event), sk: eventSk(event.at, n), ...event, ...expiry };
      if (
        await writtenIf(
          this.doc.send(
            new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
          ),
        )
      )
        return true;
    }
  }

  async listEvents(runId: string): Promise<RunEvent[]> {
    // Strongly consistent: an approval is decided from the votes this returns, just after writing one.
    const query = (pk: string) =>
      this.queryAll({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': pk, ':event': 'EVENT#' },
        ConsistentRead: true,
      });
    const items = (await Promise.all([query(runPk(runId)), query(approvalPk(runId))])).flat();
    return items
      .map((item) => strip(item, 'pk', 'sk', TTL_ATTRIBUTE) as unknown as RunEvent)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async putRelease(release: Release): Promise<void> {
    // Not under expiry: the last good release must outlive any results retention.
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: targetPk(release.target),
          sk: releaseSk(release.releaseId),
          gsi1pk: RELEASES_PARTITION,
          ...release,
        },
      }),
    );
  }

  async recentReleases(options: { limit?: number } = {}): Promise<Release[]> {
    const limit = options.limit ?? 50;
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.byTime,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': RELEASES_PARTITION },
        ScanIndexForward: false,
        // The index orders by the approved run's id; an older run can be promoted after a newer one
        // (by hand): read more than asked, and order by when each went live.
        Limit: limit * 2,
      }),
    );
    // Only the releases' own partitions: an item elsewhere (where an executor may write) that names
    // the partition is not a release, whatever it says.
    return Items.filter((item) => item.pk === targetPk(String(item.target)))
      .map((item) => strip(item, 'pk', 'sk', 'gsi1pk') as unknown as Release)
      .sort(newestRelease)
      .slice(0, limit);
  }

  async listReleases(target: string, options: { limit?: number } = {}): Promise<Release[]> {
    // Every release of the target, ordered here: the key's order is the id's as a string, and a
    // Lambda alias's ids are version numbers ("1000" sorts before "999"), so a page by key could
    // leave out the newest. A target keeps hundreds of releases at most.
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :release)',
      ExpressionAttributeValues: { ':pk': targetPk(target), ':release': 'RELEASE#' },
    });
    return items
      .map((item) => strip(item, 'pk', 'sk', 'gsi1pk') as unknown as Release)
      .sort(newestRelease)
      .slice(0, options.limit ?? 50);
  }

  async takeLease(target: string, lease: TargetLease, now: number): Promise<{ taken: boolean; lease: TargetLease }> {
    // The write is the check: two takers at once cannot both see the lease free.
    const taken = await writtenIf(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: targetPk(target), sk: LEASE_SK, ...lease },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR holder = :holder',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now, ':holder': lease.holder },
        }),
      ),
    );
    if (taken) return { taken, lease };
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: targetPk(target), sk: LEASE_SK }, ConsistentRead: true }),
    );
    // Given back between the two calls: free now, and the caller asks again.
    const held = Item ? (strip(Item, 'pk', 'sk') as unknown as TargetLease) : { holder: '', since: '', until: 0 };
    return { taken: false, lease: held };
  }

  async dropLease(target: string, holder: string): Promise<void> {
    await writtenIf(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: targetPk(target), sk: LEASE_SK },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      ),
    );
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async keepRun(runId: string): Promise<void> {
    // The mark first: an event added from now on sees it and is written without an expiry.
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: runPk(runId), sk: META_SK },
        UpdateExpression: 'SET kept = :kept REMOVE #ttl',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':kept': true },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
    const partition = (pk: string) =>
      this.queryAll({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk, #ttl',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      });
    const items = (
      await Promise.all([partition(runPk(runId)), partition(unitsPk(runId)), partition(approvalPk(runId))])
    ).flat();
    const limit = pLimit(WRITE_CONCURRENCY);
    await Promise.all(
      items
        .filter((item) => item[TTL_ATTRIBUTE] !== undefined)
        .map((item) =>
          limit(() =>
            this.doc.send(
              new UpdateCommand({
                TableName: this.table,
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: 'REMOVE #ttl',
                ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
              }),
            ),
          ),
        ),
    );
  }

  /** An event's expiry: none when retention is off or its run is kept. */
  private async eventExpiry(runId: string): Promise<Record<string, number>> {
    if (!this.options.retentionDays) return {};
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: runPk(runId), sk: META_SK }, ProjectionExpression: 'kept' }),
    );
    return Item?.kept ? {} : this.expiry();
  }

  /** Deletes what has expired by `now`: for stores without TTL of their own (runner/store/expiry.ts). */
  deleteExpired(now: Date): Promise<Expired> {
    return deleteExpired(this.doc, this.table, now);
  }

  async close(): Promise<void> {
    this.doc.destroy();
    await this.options.onClose?.();
  }
}

const eventPk = (event: RunEvent) => (isApprovalEvent(event.type) ? approvalPk(event.runId) : runPk(event.runId));

/** Orders releases newest promotion first; ids promoted in the same millisecond by their number where they are numbers. */
function newestRelease(a: Release, b: Release): number {
  return b.promotedAt.localeCompare(a.promotedAt) || b.releaseId.localeCompare(a.releaseId, 'en', { numeric: true });
}

/** A seat item as the store's callers see it. */
function seatOf(item: Record<string, unknown>): SeatRecord {
  const { seatId, state, buildId, batch, last } = item as unknown as SeatRecord;
  return { seatId, state, ...(buildId ? { buildId } : {}), ...(batch ? { batch } : {}), ...(last ? { last } : {}) };
}
