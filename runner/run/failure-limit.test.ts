// --max-failures over the whole run: what counts towards it (a unit failed for good, as Playwright
// counts), what it stops, and how the run ends the units it never finished.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newRunId, type UnitRecord, type UnitStatus } from '../core/model.ts';
import { makeUnit } from '../playwright/list.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { RunLifecycle } from '../store/run-lifecycle.ts';
import { FailureLimit } from './failure-limit.ts';

const units = ['a', 'b', 'c', 'd'].map((title, i) => makeUnit('/t/m.spec.ts', '/t', [title], 'chromium', i + 1, 1));
const record = (index: number, status: UnitStatus, runId = 'r'): UnitRecord => ({
  ...units[index]!,
  runId,
  status,
  seq: 1000 + index,
  attempt: 1,
  executor: 'local',
});

describe('FailureLimit', () => {
  it('stops at the nth unit failed for good; a retry or a flaky pass does not count', () => {
    const limit = new FailureLimit(2, new AbortController().signal);
    limit.seen(record(0, 'running'));
    limit.seen(record(0, 'retrying'));
    limit.seen(record(0, 'flaky'));
    limit.seen(record(1, 'running'));
    limit.seen(record(1, 'failed'));
    limit.seen(record(2, 'running'));
    assert.equal(limit.signal.aborted, false);
    assert.equal(limit.stoppedEarly(), undefined);
    limit.seen(record(3, 'failed'));
    assert.equal(limit.signal.aborted, true);
    const stopped = limit.stoppedEarly()!;
    assert.deepEqual([...stopped.interrupted], [units[2]!.key]);
    assert.match(stopped.reason, /^stopped after 2 failures \(--max-failures 2\)/);
  });

  it('without a limit, only a cancelled run stops', () => {
    const cancel = new AbortController();
    const limit = new FailureLimit(undefined, cancel.signal);
    for (const index of [0, 1, 2, 3]) limit.seen(record(index, 'failed'));
    assert.equal(limit.signal.aborted, false);
    cancel.abort();
    assert.equal(limit.signal.aborted, true);
    assert.equal(limit.stoppedEarly(), undefined);
  });
});

describe('a run stopped at its failure limit', () => {
  it('ends the unit under way cancelled and the ones never begun skipped, and fails with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-limit-'));
    const { store } = await openEmbeddedStore(dir);
    try {
      const runId = newRunId();
      const meta = { runId, trigger: 'test', executors: ['local' as const] };
      const lifecycle = await RunLifecycle.start(store, meta, units, { fresh: true });
      await store.recordUnit(record(0, 'failed', runId));
      await store.recordUnit(record(1, 'running', runId));
      const reason = 'stopped after 1 failure (--max-failures 1), as Playwright does: the rest did not run';
      const { run, units: ended } = await lifecycle.finish({
        stoppedEarly: { reason, interrupted: new Set([units[1]!.key]) },
      });
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, reason);
      const statusOf = (index: number) => ended.find((unit) => unit.key === units[index]!.key)?.status;
      assert.deepEqual([0, 1, 2, 3].map(statusOf), ['failed', 'cancelled', 'skipped', 'skipped']);
      const skipped = ended.find((unit) => unit.key === units[2]!.key)!;
      assert.match(JSON.stringify(skipped.error), /not run: stopped after 1 failure/);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
