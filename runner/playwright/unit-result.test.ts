import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusAfter } from './unit-result.ts';
import { seqOf } from '../core/seq.ts';

type Outcome = 'skipped' | 'expected' | 'unexpected' | 'flaky';
const test = (outcome: Outcome, retries = 0) => ({ outcome: () => outcome, retries });
const result = (status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted', retry = 0) => ({ status, retry });

describe('statusAfter', () => {
  it('maps Playwright outcomes to unit statuses', () => {
    assert.equal(statusAfter(test('expected'), result('passed')), 'passed');
    assert.equal(statusAfter(test('skipped'), result('skipped')), 'skipped');
    assert.equal(statusAfter(test('unexpected'), result('failed')), 'failed');
    assert.equal(statusAfter(test('unexpected'), result('timedOut')), 'failed');
  });

  it('is retrying, not failed, while retries are left; flaky when a retry passes', () => {
    assert.equal(statusAfter(test('unexpected', 2), result('failed', 0)), 'retrying');
    assert.equal(statusAfter(test('flaky', 2), result('passed', 1)), 'flaky');
    assert.equal(statusAfter(test('unexpected', 2), result('failed', 2)), 'failed');
  });

  it('leaves an interrupted attempt to the orchestrator', () => {
    assert.equal(statusAfter(test('unexpected'), result('interrupted')), undefined);
  });
});

describe('seqOf', () => {
  it('orders any retry of a later dispatch after every retry of an earlier one', () => {
    assert.ok(seqOf(2, 0) > seqOf(1, 5));
    assert.ok(seqOf(1, 1) > seqOf(1, 0));
  });
});
