// The single table of DESIGN.md: key names, index names, and how to create it where it is missing.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';

export const INDEX = { byTime: 'byTime', byUnit: 'byUnit' } as const;
/** Partition of the byTime index that every run item carries. */
export const RUNS_PARTITION = 'RUN';
/**
 * The byTime partition of every release of every production target, by its run's id (and so by
 * time): the Releases page lists them in one query, without knowing the targets' names.
 */
export const RELEASES_PARTITION = 'RELEASE';
export const TTL_ATTRIBUTE = 'expiresAt';

export const runPk = (runId: string) => `RUN#${runId}`;
/**
 * Units and batches of a run live in a partition of their own, apart from the run's events: the
 * executors' roles may write only here (IAM `dynamodb:LeadingKeys` = `UNITS#*`, infra/README.md),
 * so the tests they run can never reach votes, decisions or releases.
 */
export const unitsPk = (runId: string) => `UNITS#${runId}`;
export const UNITS_PARTITIONS = 'UNITS#*';
/** A run's approval events (requests, votes, decisions): written only by the gate and approval functions. */
export const approvalPk = (runId: string) => `APPROVAL#${runId}`;
export const RUN_PARTITIONS = 'RUN#*';
export const META_SK = 'META';
export const unitSk = (unitKey: string) => `UNIT#${unitKey}`;
export const batchSk = (batchId: string, dispatchTry: number) => `BATCH#${batchId}#${dispatchTry}`;
/** A CodeBuild container of a run that takes batches as it frees up (executors/seat-pool.ts). */
export const seatSk = (seatId: string) => `SEAT#${seatId}`;
export const eventSk = (at: string, n: number) => `EVENT#${at}#${String(n).padStart(4, '0')}`;
export const targetPk = (target: string) => `TARGET#${target}`;
export const releaseSk = (releaseId: string) => `RELEASE#${releaseId}`;
/** The one lease on a production target: who may promote, roll back or drill there now. */
export const LEASE_SK = 'LEASE';
/** An event that may be written once only (a vote, a decision): its key is its identity. */
export const onceEventSk = (key: string) => `EVENT#once#${key}`;

/** What the byUnit index keeps of a unit: enough for a history chart, not the stack traces. */
export const HISTORY_ATTRIBUTES = [
  'runId',
  'status',
  'attempt',
  'durationMs',
  'finishedAt',
  'project',
  'module',
  'titlePath',
  'file',
  'executor',
];

/** Creates the table where it is missing, and returns once it is ACTIVE (made here or by another process). */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  const status = await tableStatus(client, table);
  if (status === 'ACTIVE') return;
  if (status === undefined) return createTable(client, table);
  await untilActive(client, table);
}

async function tableStatus(client: DynamoDBClient, table: string): Promise<string | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Quick looks before the SDK's waiter: see untilActive. */
const QUICK_LOOKS = 20;
const QUICK_LOOK_MS = 25;

/**
 * A local store (dynalite, DynamoDB Local) makes a new table ACTIVE within milliseconds, but not
 * always before the SDK's waiter first looks, and then the waiter sleeps its least delay, a whole
 * second, on every first run. So a few quick looks first; the waiter covers a slower store.
 */
async function untilActive(client: DynamoDBClient, table: string): Promise<void> {
  for (let look = 0; look < QUICK_LOOKS; look++) {
    if ((await tableStatus(client, table)) === 'ACTIVE') return;
    await sleep(QUICK_LOOK_MS);
  }
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: table });
}

async function createTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'runId', AttributeType: 'S' },
          { AttributeName: 'unitKey', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: INDEX.byTime,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'runId', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: INDEX.byUnit,
            KeySchema: [
              { AttributeName: 'unitKey', KeyType: 'HASH' },
              { AttributeName: 'runId', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: HISTORY_ATTRIBUTES.filter((a) => a !== 'runId'),
            },
          },
        ],
      }),
    );
  } catch (error) {
    // Another process created it between our describe and create: that is fine.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  await untilActive(client, table);
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    )
    .catch(() => undefined); // dynalite has no TTL (runner/store/expiry.ts deletes for it); DynamoDB Local may not either.
}
