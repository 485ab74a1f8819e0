import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunMeta, UnitRecord } from '../runner/model.ts';
import type { ResultStore } from '../runner/store/result-store.ts';
import type { Artifact, ArtifactSource } from './artifact-source.ts';
import { RunCache } from './run-cache.ts';

const FINISHED = '2026-11-23T07:00:00.000Z';

/** A finished run in a store that counts its unit reads, with a snapshot the cache may use. */
function finishedRun(snapshot: string | undefined, run: Partial<RunMeta> = {}) {
  const calls = { getUnits: 0 };
  const store = {
    getRun: async (runId: string) => ({ runId, status: 'passed', finishedAt: FINISHED, counts: { passed: 1 }, ...run }) as RunMeta,
    getUnits: async () => {
      calls.getUnits++;
      return [{ key: 'from-store', status: 'passed' }] as UnitRecord[];
    },
  } as unknown as ResultStore;
  const artifacts: ArtifactSource = {
    get: async (runId, path) => {
      if (snapshot === undefined || path !== 'run.json' || runId !== 'r') return undefined;
      return { body: new Response(snapshot).body!, size: snapshot.length, contentType: 'application/json' } as Artifact;
    },
  };
  const units = async () => (JSON.parse((await new RunCache(store, { liveMs: 1_000, artifacts }).get('r'))!.body.json) as { units: UnitRecord[] }).units.map((unit) => unit.key);
  return { calls, units };
}

const snapshotOf = (finishedAt: string, runId = 'r') => JSON.stringify({ runId, finishedAt, units: [{ key: 'from-snapshot', status: 'passed' }] });

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
    const cache = new RunCache(store, { liveMs: 1_000 });
    await Promise.all(Array.from({ length: 10 }, () => cache.get('r')));
    assert.equal(calls.getUnits, 1);
  });

  it('re-reads a running run once its entry is older than the live window', async () => {
    let now = 0;
    const { store, calls } = countingStore('running');
    const cache = new RunCache(store, { liveMs: 1_000, now: () => now });
    await cache.get('r');
    now = 500;
    await cache.get('r');
    now = 1_500;
    await cache.get('r');
    assert.equal(calls.getUnits, 2);
  });

  it("counts a running run's units itself instead of trusting the stored counts", async () => {
    const { store } = countingStore('running');
    const entry = await new RunCache(store, { liveMs: 1_000 }).get('r');
    assert.deepEqual(JSON.parse(entry!.body.json).run.counts, { passed: 1, running: 1 });
  });

  it("serves a finished run's units from its snapshot, without reading them one by one", async () => {
    const run = finishedRun(snapshotOf(FINISHED));
    assert.deepEqual(await run.units(), ['from-snapshot']);
    assert.equal(run.calls.getUnits, 0);
  });

  it('reads the store when the snapshot is of an earlier finish, another run, unreadable or missing', async () => {
    for (const snapshot of [snapshotOf('2026-11-22T07:00:00.000Z'), snapshotOf(FINISHED, 'other'), '{"runId": "r", "fin', undefined]) {
      const run = finishedRun(snapshot);
      assert.deepEqual(await run.units(), ['from-store'], String(snapshot));
      assert.equal(run.calls.getUnits, 1);
    }
  });

  it('reads the store for a resumed run, whose snapshot is from before the resume', async () => {
    const run = finishedRun(snapshotOf(FINISHED), { status: 'running', finishedAt: undefined });
    assert.deepEqual(await run.units(), ['from-store']);
  });
});
