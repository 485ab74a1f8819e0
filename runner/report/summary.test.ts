import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import type { RunMeta, UnitRecord, UnitStatus } from '../core/model.ts';
import { execFileSync } from 'node:child_process';
import { APPROVAL_INFO_LIMIT, approvalInfo, buildSummary, formatExports, formatMatrix } from './summary.ts';

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
const run: RunMeta = {
  runId: 'r',
  status: 'failed',
  trigger: 't',
  projects: [],
  modules: [],
  executors: ['local'],
  total: 4,
  counts: {},
  startedAt: '',
};

describe('buildSummary', () => {
  const summary = buildSummary(run, units);

  it('counts per status, project, executor and module × project', () => {
    assert.deepEqual(summary.counts, { passed: 2, failed: 1, flaky: 1 });
    assert.deepEqual(summary.projects.firefox, { failed: 1, passed: 1 });
    assert.deepEqual(summary.executors, { local: { passed: 2, failed: 1, flaky: 1 } });
    assert.deepEqual(summary.modules.images, { chromium: { flaky: 1 }, firefox: { passed: 1 } });
  });

  it('lists failures with the first line of their error', () => {
    assert.deepEqual(
      summary.failures.map((f) => [f.project, f.error]),
      [['firefox', 'expected "a"']],
    );
  });

  it('prints a module × browser table with flaky marked', () => {
    const table = formatMatrix(summary);
    assert.match(table, /button\s+✓1\s+✘1/);
    assert.match(table, /images\s+~1\s+✓1/);
    assert.match(table, /total\s+✓1 ~1\s+✓1 ✘1/);
  });
});

describe('formatExports', () => {
  it('writes shell variables a CI step can source, whatever the values hold', () => {
    const summary = {
      ...buildSummary({ ...run, branch: "it's-$(rm -rf)", commit: 'abc123' }, units),
      url: 'https://status.example.com/runs/r',
    };
    const text = formatExports(summary, {
      UIGATE_ARTIFACT_DIGEST: 'sha256:00ff',
      UIGATE_PIPELINE_EXECUTION_ID: undefined,
    });
    const sourced = execFileSync('bash', ['-c', 'set -a; eval "$0"; set +a; env | grep ^UIGATE_ | sort', text], {
      encoding: 'utf8',
      env: {},
    });
    assert.deepEqual(sourced.trim().split('\n'), [
      "UIGATE_APPROVAL_INFO=uigate run r: 4 units: 2 passed, 1 failed, 1 flaky. Commit abc123 on it's-$(rm -rf). Approve on the run page or with `uigate approve` (the approval is bound to this commit and artifact).",
      'UIGATE_ARTIFACT_DIGEST=sha256:00ff',
      "UIGATE_BRANCH=it's-$(rm -rf)",
      'UIGATE_COMMIT=abc123',
      'UIGATE_RUN_ID=r',
      'UIGATE_RUN_STATUS=failed',
      'UIGATE_RUN_URL=https://status.example.com/runs/r',
      'UIGATE_SUMMARY=4 units: 2 passed, 1 failed, 1 flaky',
    ]);
  });
});

describe("the manual approval's text", () => {
  it("stays within CodePipeline's 500 characters however long the branch, keeping the run, the commit and the execution whole", () => {
    const branch = `feature/${'very-long-branch-name-'.repeat(30)}end`;
    const summary = buildSummary({ ...run, runId: '20261206T210000000Z-abcd', branch, commit: 'f'.repeat(40) }, units);
    const info = approvalInfo(summary, '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
    assert.ok(info.length <= APPROVAL_INFO_LIMIT, `${info.length} characters`);
    assert.match(
      info,
      /^uigate run 20261206T210000000Z-abcd: 4 units: 2 passed, 1 failed, 1 flaky\. Commit f{40} on feature\/very-long/,
    );
    assert.match(info, /…, execution 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\. Approve on the run page/);
    assert.equal(approvalInfo({ ...summary, branch: 'main' }).includes('on main.'), true, 'a short branch is whole');
  });
});
