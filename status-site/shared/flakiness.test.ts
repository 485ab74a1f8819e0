import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnitRecord } from '../../runner/core/model.ts';
import { flakiestUnits, unitStats } from './flakiness.ts';

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
    assert.deepEqual(stats, {
      runs: 4,
      passed: 2,
      flaky: 1,
      failed: 1,
      flakyRate: 0.25,
      failureRate: 0.25,
      medianMs: 200,
    });
  });

  it('is all zeros for a unit never finished', () => {
    assert.deepEqual(unitStats([{ status: 'queued' }]), {
      runs: 0,
      passed: 0,
      flaky: 0,
      failed: 0,
      flakyRate: 0,
      failureRate: 0,
      medianMs: undefined,
    });
  });
});

describe('flakiestUnits', () => {
  const unit = (key: string, status: string) =>
    ({ key, status, titlePath: [key], project: 'chromium', module: 'm' }) as unknown as UnitRecord;
  // Newest first, as the API reads them.
  const runs = [
    {
      runId: 'r3',
      units: [unit('steady', 'passed'), unit('flaky', 'flaky'), unit('broken', 'failed'), unit('new', 'queued')],
    },
    {
      runId: 'r2',
      units: [unit('steady', 'passed'), unit('flaky', 'passed'), unit('broken', 'failed'), unit('once', 'flaky')],
    },
    {
      runId: 'r1',
      units: [
        unit('steady', 'passed'),
        unit('flaky', 'flaky'),
        unit('broken', 'passed'),
        unit('once', 'passed'),
        unit('gone', 'cancelled'),
      ],
    },
  ];

  it('ranks failures before flaky passes, each by how often, and leaves out what never went wrong', () => {
    const ranked = flakiestUnits(runs);
    assert.deepEqual(
      ranked.map((u) => [u.key, u.runs, u.flaky, u.failed]),
      [
        ['broken', 3, 0, 2],
        ['flaky', 3, 2, 0],
        ['once', 2, 1, 0],
      ],
    );
    // Failing 3 times in 10 outranks flaky 9 times in 10: a real regression is fixed first.
    const many = Array.from({ length: 10 }, (_, i) => ({
      runId: `m${i}`,
      units: [unit('often-flaky', i < 9 ? 'flaky' : 'passed'), unit('sometimes-failing', i < 3 ? 'failed' : 'passed')],
    }));
    assert.deepEqual(
      flakiestUnits(many).map((u) => u.key),
      ['sometimes-failing', 'often-flaky'],
    );
  });

  it('points at the newest run where each went wrong, and counts only finished runs', () => {
    const byKey = Object.fromEntries(flakiestUnits(runs).map((u) => [u.key, u]));
    assert.deepEqual(byKey.flaky!.lastBad, { runId: 'r3', status: 'flaky' });
    assert.deepEqual(byKey.once!.lastBad, { runId: 'r2', status: 'flaky' });
    assert.equal(byKey.new, undefined);
    assert.deepEqual(
      flakiestUnits(runs, 1).map((u) => u.key),
      ['broken'],
    );
  });
});
