// What executors read and write beside results, on the embedded dynalite and on DynamoDB as
// moto_server implements it: the seat protocol's conditional writes (executors/seat-pool.ts),
// whose conditions name nested attributes (`batch.batchId`) each implementation must evaluate as
// DynamoDB documents, and a batch's units read by key, 100 a BatchGetItem.
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newRunId } from '../core/model.ts';
import { makeUnit } from '../playwright/list.ts';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { DynamoStore } from './dynamo-store.ts';
import { openEmbeddedStore } from './open-store.ts';
import { ensureTable } from './table.ts';
import type { ResultStore } from './result-store.ts';

function protocol(name: string, open: () => Promise<{ store: ResultStore; close(): Promise<void> }>, skip?: string) {
  describe(`seats and units by key (${name})`, { skip }, () => {
    let store: ResultStore;
    let close: () => Promise<void>;
    before(async () => ({ store, close } = await open()));
    after(async () => close?.());

    it('hands a ready seat one batch, and takes it back ready only for that batch', async () => {
      const runId = newRunId();
      assert.equal(await store.readySeat(runId, 's1', 'build:1'), true);
      assert.equal(await store.readySeat(runId, 's1', 'build:1'), false, 'a seat comes up once');
      assert.equal(await store.assignSeat(runId, 's1', { batchId: 'cb-001', dispatchTry: 1 }), true);
      assert.equal(
        await store.assignSeat(runId, 's1', { batchId: 'cb-002', dispatchTry: 1 }),
        false,
        'not over an assignment',
      );
      assert.deepEqual(await store.getSeat(runId, 's1'), {
        seatId: 's1',
        state: 'assigned',
        buildId: 'build:1',
        batch: { batchId: 'cb-001', dispatchTry: 1 },
      });
      assert.equal(await store.readySeat(runId, 's1', 'build:1', { batchId: 'cb-001', dispatchTry: 2 }), false);
      assert.equal(await store.readySeat(runId, 's1', 'build:1', { batchId: 'cb-001', dispatchTry: 1 }), true);
      assert.deepEqual(await store.listSeats(runId), [
        { seatId: 's1', state: 'ready', buildId: 'build:1', last: { batchId: 'cb-001', dispatchTry: 1 } },
      ]);
      assert.deepEqual(await store.getUnits(runId), [], 'seats are not units');
    });

    it("reads a run's units by key, past BatchGetItem's 100 keys a call, and only that run's", async () => {
      const runId = newRunId();
      const units = Array.from({ length: 250 }, (_, i) =>
        makeUnit('/t/a.spec.ts', '/t', [`case ${i}`], 'chromium', i, 1),
      );
      await store.queueUnits(runId, units, { fresh: true });
      await store.queueUnits(newRunId(), units.slice(0, 5), { fresh: true });
      const wanted = [...units.slice(0, 120), ...units.slice(200)].map((unit) => unit.key);
      const read = await store.getUnitsByKey(runId, [...wanted, 'no such key', wanted[0]!]);
      assert.deepEqual(read.map((unit) => unit.key).sort(), [...wanted].sort());
      assert.ok(read.every((unit) => unit.runId === runId && unit.status === 'queued' && unit.titlePath.length === 1));
      assert.deepEqual(await store.getUnitsByKey(runId, []), []);
    });

    it('keeps a seat released before its worker came up closed to it', async () => {
      const runId = newRunId();
      await store.releaseSeat(runId, 's2');
      assert.equal(await store.readySeat(runId, 's2', 'build:2'), false);
      assert.equal(await store.assignSeat(runId, 's2', { batchId: 'cb-001', dispatchTry: 1 }), false);
      assert.equal((await store.getSeat(runId, 's2'))?.state, 'released');
    });

    it('lets a released seat take no batch, and its worker find out', async () => {
      const runId = newRunId();
      await store.readySeat(runId, 's3', 'build:3');
      await store.assignSeat(runId, 's3', { batchId: 'cb-001', dispatchTry: 1 });
      await store.releaseSeat(runId, 's3');
      assert.equal(await store.readySeat(runId, 's3', 'build:3', { batchId: 'cb-001', dispatchTry: 1 }), false);
      assert.equal(await store.getSeat(runId, 'nobody'), undefined);
    });
  });
}

protocol('embedded dynalite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'uigate-seats-'));
  const { store } = await openEmbeddedStore(join(dir, 'dynamodb'));
  return {
    store,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const skip = motoMissing();
protocol(
  'DynamoDB on moto_server',
  async () => {
    const moto: Moto = await startMoto();
    const client = new DynamoDBClient(moto.client);
    await ensureTable(client, 'uigate');
    const store = new DynamoStore({ client, table: 'uigate', onClose: async () => client.destroy() });
    return {
      store,
      close: async () => {
        await store.close();
        await moto.close();
      },
    };
  },
  skip,
);
