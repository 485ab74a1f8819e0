// The releases of every target listed through the byTime index, on DynamoDB as moto_server implements
// it: the table made as uigate makes it, the releases written by the store, the Query on the index's
// RELEASE partition answered by an implementation not ours.
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { after, before, describe, it } from 'node:test';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { DynamoStore } from './dynamo-store.ts';
import { ensureTable } from './table.ts';

const skip = motoMissing();

describe("every target's releases, newest first (DynamoDB on moto_server)", { skip }, () => {
  let moto: Moto;
  let store: DynamoStore;

  before(async () => {
    moto = await startMoto();
    const client = new DynamoDBClient(moto.client);
    await ensureTable(client, 'uigate');
    store = new DynamoStore({ client, table: 'uigate', onClose: async () => client.destroy() });
  });
  after(async () => {
    await store?.close();
    await moto?.close();
  });

  it('lists them across targets in one Query of the index, ordered by when each went live', async () => {
    const at = (minute: number) => new Date(Date.UTC(2031, 0, 1, 0, minute)).toISOString();
    const run = (day: number) => `203101${String(day).padStart(2, '0')}T000000000Z-aaaa`;
    await store.putRelease({
      target: 's3://site',
      releaseId: run(1),
      runId: run(1),
      status: 'verified',
      promotedAt: at(1),
      updatedAt: at(1),
    });
    await store.putRelease({
      target: 'lambda:fn:live',
      releaseId: '7',
      runId: run(2),
      status: 'failed',
      promotedAt: at(3),
      updatedAt: at(4),
      rolledBackTo: '6',
    });
    // An older run promoted by hand after the others: it is the newest release.
    await store.putRelease({
      target: 's3://site',
      releaseId: run(0),
      runId: run(0),
      status: 'promoted',
      promotedAt: at(5),
      updatedAt: at(5),
    });
    assert.deepEqual(
      (await store.recentReleases({ limit: 10 })).map((r) => [r.target, r.releaseId, r.status]),
      [
        ['s3://site', run(0), 'promoted'],
        ['lambda:fn:live', '7', 'failed'],
        ['s3://site', run(1), 'verified'],
      ],
    );
    assert.equal((await store.listReleases('lambda:fn:live'))[0]!.rolledBackTo, '6');
  });
});
