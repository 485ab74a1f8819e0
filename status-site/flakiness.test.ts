import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unitStats } from './flakiness.ts';

describe('unitStats', () => {
  it('rates flakiness and failures over finished runs only', () => {
    const stats = unitStats([
      { status: 'passed', durationMs: 100 },
      { status: 'flaky', durationMs: 300 },
      { status: 'failed', durationMs: 200 },
      { status: 'passed', durationMs: 150 },
      { status: 'queued' },
      { status: 'cancelled' },
    ]);
    assert.deepEqual(stats, { runs: 4, passed: 2, flaky: 1, failed: 1, flakyRate: 0.25, failureRate: 0.25, medianMs: 200 });
  });

  it('is all zeros for a unit never finished', () => {
    assert.deepEqual(unitStats([{ status: 'queued' }]), { runs: 0, passed: 0, flaky: 0, failed: 0, flakyRate: 0, failureRate: 0, medianMs: undefined });
  });
});
