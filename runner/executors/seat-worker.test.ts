import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newRunId } from '../core/model.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import type { ResultStore } from '../store/result-store.ts';
import { serveSeat } from './seat-worker.ts';

describe("a container's seat", () => {
  let dir: string;
  let store: ResultStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-seat-worker-'));
    ({ store } = await openEmbeddedStore(join(dir, 'dynamodb')));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('closes itself and ends when nobody gives it a batch (an orchestrator that died)', async () => {
    const runId = newRunId();
    const served = await serveSeat(store, {
      runId,
      seatId: 'c1.1',
      buildId: 'b1',
      pollMs: 5,
      waitMs: 50,
      runBatch: async () => ({}),
    });
    assert.deepEqual(served, { end: 'waited out', batches: 0, crashed: 0 });
    assert.equal((await store.getSeat(runId, 'c1.1'))?.state, 'released', 'a late assignment is refused');
    assert.equal(await store.assignSeat(runId, 'c1.1', { batchId: 'cb-1', dispatchTry: 1 }), false);
  });

  it('tells the orchestrator how Playwright crashed on a batch, and takes the next', async () => {
    const runId = newRunId();
    const seat = serveSeat(store, {
      runId,
      seatId: 'c2.1',
      buildId: 'b2',
      pollMs: 5,
      runBatch: async ({ batchId }) => (batchId === 'cb-1' ? { crashed: 'Playwright exited with code 1' } : {}),
    });
    const readyAfter = async (last?: string) => {
      for (;;) {
        const record = await store.getSeat(runId, 'c2.1');
        if (record?.state === 'ready' && record.last?.batchId === last) return record;
        await new Promise((done) => setTimeout(done, 5));
      }
    };
    await readyAfter();
    await store.assignSeat(runId, 'c2.1', { batchId: 'cb-1', dispatchTry: 1 });
    assert.deepEqual((await readyAfter('cb-1')).last, {
      batchId: 'cb-1',
      dispatchTry: 1,
      crashed: 'Playwright exited with code 1',
    });
    await store.assignSeat(runId, 'c2.1', { batchId: 'cb-2', dispatchTry: 1 });
    assert.deepEqual((await readyAfter('cb-2')).last, { batchId: 'cb-2', dispatchTry: 1 });
    await store.releaseSeat(runId, 'c2.1');
    assert.deepEqual(await seat, { end: 'released', batches: 2, crashed: 1 });
  });
});
