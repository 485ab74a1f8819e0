import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunMeta, UnitRecord } from '../runner/model.ts';
import type { ResultStore } from '../runner/store/result-store.ts';
import { RunCache } from './run-cache.ts';

function countingStore(status: RunMeta['status']) {
  const calls = { getUnits: 0 };
  const store = {
    getRun: async (runId: string) => ({ runId, status, counts: { queued: 2 } }) as unknown as RunMeta,
    getUnits: async () => {
      calls.getUnits++;
      await new Promise((ok) => setTimeout(ok, 5));
      return [{ status: 'passed' }, { status: 'running' }] as UnitRecord[];
    },
  } as unknown as ResultStore;
  return { store, calls };
}

describe('RunCache', () => {
  it('shares one store read between viewers polling at once', async () => {
    const { store, calls } = countingStore('running');
    const cache = new RunCache(store, 1_000);
    await Promise.all(Array.from({ length: 10 }, () => cache.get('r')));
    assert.equal(calls.getUnits, 1);
  });

  it('re-reads a running run once its entry is older than the live window', async () => {
    let now = 0;
    const { store, calls } = countingStore('running');
    const cache = new RunCache(store, 1_000, 20, () => now);
    await cache.get('r');
    now = 500;
    await cache.get('r');
    now = 1_500;
    await cache.get('r');
    assert.equal(calls.getUnits, 2);
  });

  it("counts a running run's units itself instead of trusting the stored counts", async () => {
    const { store } = countingStore('running');
    const entry = await new RunCache(store, 1_000).get('r');
    assert.deepEqual(JSON.parse(entry!.json).run.counts, { passed: 1, running: 1 });
  });
});
