import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJUnit } from './junit.ts';
import { makeUnit } from '../playwright/list.ts';
import type { RunMeta, UnitRecord, UnitStatus } from '../core/model.ts';

const run = { runId: '20261122T185625123Z-k3f9' } as RunMeta;
const unit = (title: string, status: UnitStatus, project = 'chromium', error?: string): UnitRecord => ({
  ...makeUnit('/t/a.spec.ts', '/t', ['Suite', title], project, 1, 1),
  runId: run.runId,
  status,
  seq: 1000,
  attempt: status === 'flaky' ? 2 : 1,
  durationMs: 1500,
  error: error ? { message: error, stack: `${error}\n  at a.spec.ts:1` } : undefined,
});

describe('toJUnit', () => {
  const xml = toJUnit(run, [
    unit('ok', 'passed'),
    unit('<b>broken</b> & "quoted"', 'failed', 'chromium', 'expected 1\nreceived 2'),
    unit('wobbly', 'flaky', 'firefox'),
    unit('lost', 'errored', 'firefox', 'container died'),
  ]);

  it('has one suite per project with its counts', () => {
    assert.match(xml, /<testsuite name="chromium" tests="2" failures="1" errors="0" skipped="0" time="3\.000">/);
    assert.match(xml, /<testsuite name="firefox" tests="2" failures="0" errors="1" skipped="0"/);
  });

  it('escapes test titles and errors', () => {
    assert.match(xml, /name="Suite › &lt;b&gt;broken&lt;\/b&gt; &amp; &quot;quoted&quot;"/);
    assert.match(xml, /<failure message="expected 1">expected 1\nreceived 2\n {2}at a\.spec\.ts:1<\/failure>/);
    assert.doesNotMatch(xml, /<b>/);
  });

  it('tells an infrastructure error from a failure, and marks a flaky pass', () => {
    assert.match(xml, /<error message="container died" type="errored">/);
    assert.match(xml, /<system-out>flaky: passed on attempt 2<\/system-out>/);
  });
});
