import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunMeta } from '../core/model.ts';
import { expectedFinish } from './expected-finish.ts';

const past = (runId: string, durationMs: number, extra: Partial<RunMeta> = {}): RunMeta => ({
  runId,
  status: 'passed',
  trigger: 'ci',
  projects: ['chromium', 'firefox'],
  modules: [],
  executors: ['local'],
  total: 10,
  counts: { passed: 10 },
  startedAt: '2026-12-06T10:00:00.000Z',
  durationMs,
  ...extra,
});
const now = past('now', 0, { status: 'running', durationMs: undefined, startedAt: '2026-12-07T10:00:00.000Z' });

describe('when a run is expected to finish', () => {
  it('is its start plus the median of the last whole runs of the same projects', () => {
    const history = [past('a', 60_000), past('b', 120_000), past('c', 600_000), past('d', 90_000)];
    assert.equal(expectedFinish(now, history), '2026-12-07T10:01:45.000Z');
  });

  it('leaves out narrowed, cancelled, other-project runs and the run itself', () => {
    const history = [
      past('now', 1),
      past('narrowed', 1, { selection: { grep: 'cart' } }),
      past('cancelled', 1, { status: 'cancelled' }),
      past('other', 1, { projects: ['webkit'] }),
      past('a', 60_000, { selection: { projects: ['chromium', 'firefox'] } }),
      past('b', 80_000, { status: 'failed' }),
    ];
    assert.equal(expectedFinish(now, history), '2026-12-07T10:01:10.000Z');
  });

  it('promises nothing without two runs to go by, or for a narrowed run', () => {
    assert.equal(expectedFinish(now, [past('a', 60_000)]), undefined);
    assert.equal(
      expectedFinish({ ...now, selection: { modules: ['cart.spec.ts'] } }, [past('a', 1), past('b', 2)]),
      undefined,
    );
  });
});
