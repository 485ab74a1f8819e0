import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicy } from '../gate/policy.ts';
import { compareUnits } from '../report/changes.ts';
import type { RunMeta, UnitRecord, UnitStatus } from './model.ts';
import {
  DISPLAY_ORDER,
  FINAL_STATUSES,
  isFailing,
  isGood,
  isNewFailure,
  isPassing,
  runStatusOf,
  STATUS_ICON,
  worst,
} from './statuses.ts';

const ALL: UnitStatus[] = [
  'queued',
  'running',
  'retrying',
  'passed',
  'flaky',
  'failed',
  'skipped',
  'errored',
  'cancelled',
];

describe('the status vocabulary', () => {
  it('has every status once in the display order, with a symbol of its own', () => {
    assert.deepEqual([...DISPLAY_ORDER].sort(), [...ALL].sort());
    assert.equal(new Set(ALL.map((status) => STATUS_ICON[status])).size, ALL.length);
  });

  it('never calls a status both passing and failing, and calls only final ones either', () => {
    for (const status of ALL) {
      assert.ok(!(isPassing(status) && isFailing(status)), status);
      if (isPassing(status) || isFailing(status)) assert.ok(FINAL_STATUSES.includes(status), status);
    }
    assert.deepEqual(ALL.filter(isGood), ['passed', 'flaky', 'skipped']);
  });

  it('says a new failure is failing now and passing then — nothing else', () => {
    const cases: [UnitStatus, UnitStatus | undefined, boolean][] = [
      ['failed', 'passed', true],
      ['errored', 'flaky', true],
      ['failed', 'failed', false], // failing before
      ['failed', 'skipped', false], // skipped proved nothing
      ['failed', 'cancelled', false], // nor did a stopped run
      ['failed', undefined, false], // a new test
      ['cancelled', 'passed', false], // a stopped run is not a failure of the code
      ['skipped', 'passed', false],
    ];
    for (const [now, then, expected] of cases) assert.equal(isNewFailure(now, then), expected, `${now} after ${then}`);
  });

  it('is what the run page, the end of uigate run and the gate all count as new', () => {
    const unit = (key: string, status: UnitStatus) =>
      ({
        key,
        status,
        project: 'chromium',
        titlePath: [key],
        module: 'm',
        file: 'm.spec.ts',
        line: 1,
        column: 1,
        runId: 'r',
        seq: 1000,
        attempt: 1,
      }) as UnitRecord;
    const before = [unit('a', 'passed'), unit('b', 'skipped'), unit('c', 'cancelled'), unit('d', 'failed')];
    const now = [unit('a', 'failed'), unit('b', 'failed'), unit('c', 'errored'), unit('d', 'failed')];
    assert.deepEqual(compareUnits(now, before).newFailures, ['a']);
    const run = { runId: 'r', status: 'failed', startedAt: '' } as RunMeta;
    const rule = evaluatePolicy({ maxFailures: 99, wholeSuite: false }, run, now, before).rules.find(
      (r) => r.rule === 'no new failures',
    )!;
    assert.match(rule.measured, /^1 new: \[chromium\] a$/);
  });

  it('shows a group by its worst member, and ends a run by the same words', () => {
    assert.equal(worst(['passed', 'flaky', 'failed']), 'failed');
    assert.equal(worst(['passed', 'skipped']), 'passed');
    assert.equal(runStatusOf([{ status: 'passed' }, { status: 'cancelled' }]), 'cancelled');
    assert.equal(runStatusOf([{ status: 'passed' }, { status: 'queued' }]), 'errored');
  });
});
