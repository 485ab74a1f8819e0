import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from './list.ts';
import type { RunMeta, UnitRecord, UnitStatus } from './model.ts';
import { buildSummary, formatMatrix } from './summary.ts';

const record = (file: string, project: string, status: UnitStatus, error?: string): UnitRecord => ({
  ...makeUnit(`/t/${file}`, '/t', [`${status} case`], project, 1, 1),
  runId: 'r',
  status,
  seq: 1000,
  attempt: 1,
  executor: 'local',
  error: error ? { message: error } : undefined,
});

const units = [
  record('button.spec.ts', 'chromium', 'passed'),
  record('button.spec.ts', 'firefox', 'failed', 'expected "a"\nreceived "b"'),
  record('images.spec.ts', 'chromium', 'flaky'),
  record('images.spec.ts', 'firefox', 'passed'),
];
const run: RunMeta = { runId: 'r', status: 'failed', trigger: 't', projects: [], modules: [], executors: ['local'], total: 4, counts: {}, startedAt: '' };

describe('buildSummary', () => {
  const summary = buildSummary(run, units);

  it('counts per status, project, executor and module × project', () => {
    assert.deepEqual(summary.counts, { passed: 2, failed: 1, flaky: 1 });
    assert.deepEqual(summary.projects.firefox, { failed: 1, passed: 1 });
    assert.deepEqual(summary.executors, { local: { passed: 2, failed: 1, flaky: 1 } });
    assert.deepEqual(summary.modules.images, { chromium: { flaky: 1 }, firefox: { passed: 1 } });
  });

  it('lists failures with the first line of their error', () => {
    assert.deepEqual(summary.failures.map((f) => [f.project, f.error]), [['firefox', 'expected "a"']]);
  });

  it('prints a module × browser table with flaky marked', () => {
    const table = formatMatrix(summary);
    assert.match(table, /button\s+✓1\s+✘1/);
    assert.match(table, /images\s+~1\s+✓1/);
    assert.match(table, /total\s+✓1 ~1\s+✓1 ✘1/);
  });
});
