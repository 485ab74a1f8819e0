import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunMeta, UnitRecord } from '../../runner/core/model.ts';
import type { ResultStore } from '../../runner/store/result-store.ts';
import type { Artifact, ArtifactReader } from '../artifacts/artifact-reader.ts';
import { RunCache } from './run-cache.ts';

const FINISHED = '2026-11-23T07:00:00.000Z';

/** A finished run in a store that counts its unit reads, with a snapshot the cache may use. */
function finishedRun(snapshot: string | undefined, run: Partial<RunMeta> = {}) {
  const calls = { getUnits: 0 };
  const store = {
    getRun: async (runId: string) =>
      ({ runId, status: 'passed', finishedAt: FINISHED, counts: { passed: 1 }, ...run }) as RunMeta,
    getUnits: async () => {
      calls.getUnits++;
      return [{ key: 'from-store', status: 'passed' }] as UnitRecord[];
    },
  } as unknown as ResultStore;
  const artifacts: ArtifactReader = {
    get: async (runId, path) => {
      if (snapshot === undefined || path !== 'run.json' || runId !== 'r') return undefined;
      return { body: new Response(snapshot).body!, size: snapshot.length, contentType: 'application/json' } as Artifact;
    },
  };
  const units = async () =>
    (
      JSON.parse((await new RunCache(store, { liveMs: 1_000, artifacts }).get('r'))!.body.json) as {
        units: UnitRecord[];
      }
    ).units.map((unit) => unit.key);
  return { calls, units };
}

const snapshotOf = (finishedAt: string, runId = 'r') =>
  JSON.stringify({ runId, finishedAt, units: [{ key: 'from-snapshot', status: 'passed' }] });

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
    for (const snapshot of [
      snapshotOf('2026-11-22T07:00:00.000Z'),
      snapshotOf(FINISHED, 'other'),
      '{"runId": "r", "fin',
      undefined,
    ]) {
      const run = finishedRun(snapshot);
      assert.deepEqual(await run.units(), ['from-store'], String(snapshot));
      assert.equal(run.calls.getUnits, 1);
    }
  });

  it('checks a finished run against its run item, and reads its units again only when the item changed', async () => {
    let now = 0;
    const item: Partial<RunMeta> = { runId: 'r', status: 'passed', finishedAt: FINISHED, counts: { passed: 1 } };
    const calls = { getRun: 0, getUnits: 0 };
    const store = {
      getRun: async () => (calls.getRun++, { ...item }) as RunMeta,
      getUnits: async () =>
        (calls.getUnits++, [{ key: 'u', status: item.status === 'running' ? 'running' : 'passed' }]) as UnitRecord[],
    } as unknown as ResultStore;
    const cache = new RunCache(store, { liveMs: 1_000, now: () => now });
    const status = async () => (JSON.parse((await cache.get('r'))!.body.json) as { run: RunMeta }).run.status;
    assert.equal(await status(), 'passed');
    now = 500;
    assert.equal(await status(), 'passed');
    assert.deepEqual(calls, { getRun: 1, getUnits: 1 }, 'within the live window: from memory');
    now = 5_000;
    assert.equal(await status(), 'passed');
    assert.deepEqual(calls, { getRun: 2, getUnits: 1 }, 'unchanged item: the units are not read again');
    now = 5_500;
    await status();
    assert.equal(calls.getRun, 2, 'and the check itself counts as current for the live window');
    // uigate run --resume: the item changes, and the next look after the live window shows it.
    Object.assign(item, { status: 'running', finishedAt: undefined });
    now = 6_100;
    assert.equal(await status(), 'running');
    assert.equal(calls.getUnits, 2);
    // A late result for a closed run leaves the item as it was: the units are re-read after 30 s.
    Object.assign(item, { status: 'passed', finishedAt: FINISHED });
    now = 10_000;
    await status();
    const reads = calls.getUnits;
    now = 41_000;
    await status();
    assert.equal(calls.getUnits, reads + 1);
  });

  it('reads the store for a resumed run, whose snapshot is from before the resume', async () => {
    const run = finishedRun(snapshotOf(FINISHED), { status: 'running', finishedAt: undefined });
    assert.deepEqual(await run.units(), ['from-store']);
  });
});

describe('RunCache, the first look at a running run', () => {
  const NOW = Date.parse('2026-12-07T12:00:00.000Z');
  /** A running run whose store read waits until released, and an orchestrator's live snapshot taken `age` ms ago. */
  function runningRun(age: number, runId = 'r') {
    let release!: () => void;
    const released = new Promise<void>((ok) => (release = ok));
    const calls = { getUnits: 0 };
    const store = {
      getRun: async (id: string) => ({ runId: id, status: 'running', counts: {} }) as unknown as RunMeta,
      getUnits: async () => {
        calls.getUnits++;
        await released;
        return [{ key: 'a', status: 'passed', seq: 2003 }] as UnitRecord[];
      },
    } as unknown as ResultStore;
    const live = JSON.stringify({
      runId,
      at: new Date(NOW - age).toISOString(),
      units: [{ key: 'a', status: 'running', seq: 2001 }],
    });
    const artifacts: ArtifactReader = {
      get: async (id, path) =>
        id === 'r' && path === 'live.json'
          ? ({ body: new Response(live).body!, size: live.length, contentType: 'application/json' } as Artifact)
          : undefined,
    };
    let now = NOW;
    const cache = new RunCache(store, { liveMs: 1_000, artifacts, now: () => now });
    const statuses = async () =>
      (JSON.parse((await cache.get('r'))!.body.json) as { units: UnitRecord[] }).units.map((unit) => unit.status);
    return { calls, release, statuses, later: (ms: number) => (now += ms) };
  }

  it('answers from the live snapshot at once, and the next poll from the store read begun behind it', async () => {
    const run = runningRun(3_000);
    assert.deepEqual(await run.statuses(), ['running']);
    run.later(1_500);
    const next = run.statuses();
    run.release();
    assert.deepEqual(await next, ['passed']);
    assert.equal(run.calls.getUnits, 1, 'the next poll read the store again instead of waiting for the read under way');
  });

  it('reads the store when the live snapshot is too old or another run’s', async () => {
    for (const run of [runningRun(60_000), runningRun(1_000, 'other')]) {
      run.release();
      assert.deepEqual(await run.statuses(), ['passed']);
    }
  });
});
