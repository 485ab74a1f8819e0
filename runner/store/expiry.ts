// Retention where nothing else does it. DynamoDB deletes items whose `expiresAt` has passed (TTL);
// dynalite, the embedded store, keeps them forever. So for the embedded store uigate deletes them
// itself, at most once a day when a run ends, and the artifacts of the runs it deletes go too:
// `store.retentionDays` means the same on a laptop as in AWS.
import { writtenIf } from './conditional.ts';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { RUN_ID_PATTERN } from '../core/model.ts';
import { META_SK, TTL_ATTRIBUTE } from './table.ts';

export interface Expired {
  /** Items deleted. */
  items: number;
  /** Runs whose run item was among them. */
  runIds: string[];
}

/** Deletes every item whose expiry is before `now`; an item given a later expiry meanwhile stays. */
export async function deleteExpired(doc: DynamoDBDocumentClient, table: string, now: Date): Promise<Expired> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const expired = { items: 0, runIds: [] as string[] };
  const limit = pLimit(8);
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: 'pk, sk',
        FilterExpression: '#ttl < :now',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds },
        ExclusiveStartKey: start,
      }),
    );
    const deleted = await Promise.all(
      (page.Items ?? []).map((item) =>
        limit(async () => {
          // The same check again at the moment of deleting, as DynamoDB's TTL does.
          const condition = {
            ConditionExpression: '#ttl < :now',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': nowSeconds },
          };
          return (await writtenIf(
            doc.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk }, ...condition })),
          ))
            ? item
            : undefined;
        }),
      ),
    );
    for (const item of deleted) {
      if (!item) continue;
      expired.items++;
      if (item.sk === META_SK && typeof item.pk === 'string' && item.pk.startsWith('RUN#'))
        expired.runIds.push(item.pk.slice('RUN#'.length));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return expired;
}

const DAY_MS = 86_400_000;
const STAMP = 'expired-at';

export interface RetentionSettings {
  embedded: boolean;
  retentionDays?: number;
  /** The embedded store's data folder: where the day's stamp is kept. */
  dataDir: string;
}

/**
 * For the embedded store with `retentionDays`, once a day at most: deletes its expired items and the
 * artifact folders of the runs among them. Undefined when there was nothing to do today.
 */
export async function expireLocally(
  store: { deleteExpired(now: Date): Promise<Expired> },
  settings: RetentionSettings,
  artifactsDir: string,
  now = new Date(),
): Promise<Expired | undefined> {
  // Any other store is DynamoDB's own (or DynamoDB Local's, whose owner decides).
  if (!settings.embedded || !settings.retentionDays) return undefined;
  const stamp = join(settings.dataDir, STAMP);
  const last = Date.parse(await readFile(stamp, 'utf8').catch(() => ''));
  if (now.getTime() - last < DAY_MS) return undefined;
  const expired = await store.deleteExpired(now);
  // Only folders named as run ids, inside the artifacts folder: nothing else is ours to remove.
  for (const runId of expired.runIds.filter((id) => RUN_ID_PATTERN.test(id)))
    await rm(join(artifactsDir, runId), { recursive: true, force: true });
  await mkdir(settings.dataDir, { recursive: true });
  await writeFile(stamp, now.toISOString());
  return expired;
}

/** Says in one line for the terminal what was deleted, if anything. */
export function describeExpired(expired: Expired | undefined, retentionDays: number | undefined): string | undefined {
  if (!expired?.items) return undefined;
  return `uigate: deleted ${expired.runIds.length} run(s) older than ${retentionDays} days (store.retentionDays) with their artifacts: ${expired.items} store items`;
}
