import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Release } from '../../runner/core/model.ts';
import { alarmWords, failureWords, releaseState, targetHistories, whatNow } from './release-history.ts';

const release = (releaseId: string, minute: number, patch: Partial<Release> = {}): Release => ({
  target: 's3://site',
  releaseId,
  runId: `run-${releaseId}`,
  status: 'verified',
  promotedAt: new Date(Date.UTC(2026, 11, 7, 10, minute)).toISOString(),
  updatedAt: new Date(Date.UTC(2026, 11, 7, 10, minute + 5)).toISOString(),
  ...patch,
});

describe('what happened to each release, in words', () => {
  it('finds what is live: the newest release, or the one a rollback brought back', () => {
    const [rolledBack] = targetHistories([
      release('a', 0),
      release('b', 10, { status: 'failed', rolledBackTo: 'a', reason: 'smoke is ALARM' }),
    ]);
    assert.deepEqual(rolledBack!.live, {
      releaseId: 'a',
      runId: 'run-a',
      state: 'verified',
      since: release('b', 10).updatedAt,
    });
    assert.deepEqual(
      rolledBack!.releases.map((r) => r.releaseId),
      ['b', 'a'],
    );
    // Nothing to roll back to: the failed release is what serves.
    const [stuck] = targetHistories([release('c', 0, { status: 'failed', reason: 'smoke is ALARM' })]);
    assert.equal(stuck!.live!.releaseId, 'c');
    assert.equal(stuck!.live!.state, 'failed, still live');
  });

  it('tells every state apart, each with what to do', () => {
    const states = [
      release('v', 0),
      release('p', 0, { status: 'promoted' }),
      release('r', 0, { status: 'failed', rolledBackTo: 'v' }),
      release('x', 0, { status: 'failed', rollbackError: 'publishing v again failed' }),
      release('u', 0, { status: 'failed', reason: 'bake cancelled by the user before it ended: …' }),
      release('s', 0, { status: 'failed', reason: 'smoke is ALARM: …' }),
    ].map((r) => releaseState(r));
    assert.deepEqual(states, [
      'verified',
      'baking',
      'rolled back',
      'rollback failed',
      'unverified',
      'failed, still live',
    ]);
    const advice = new Set(
      states.map((state) => whatNow(state, { releaseId: 'r', target: 's3://site', rolledBackTo: 'v' })),
    );
    assert.equal(advice.size, states.length, 'each state its own advice');
  });

  it("says the local evaluator's and CloudWatch's reasons in plain words", () => {
    assert.equal(
      alarmWords(
        'uigate-smoke',
        'ALARM',
        '1 of the last 2 periods breached GreaterThanOrEqualToThreshold 1 (needs 1) [–, 1]',
      ),
      'The alarm uigate-smoke went off: smoke tests failed in production — 1 of its last 2 checks were at or above 1 (1 set it off).',
    );
    assert.equal(
      alarmWords(
        'api-5xx',
        'ALARM',
        'Threshold Crossed: 3 out of the last 5 datapoints [12.0 (07/12/26 10:04:00), 9.0 (07/12/26 10:03:00)] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).',
      ),
      'The alarm api-5xx went off: what it watches crossed its limit — 3 of its last 5 datapoints were above 5.0.',
    );
    assert.match(alarmWords('api-5xx', 'INSUFFICIENT_DATA'), /had no data to judge the release by/);
    assert.match(failureWords({ reason: 'alarm api-5xx disappeared' })!, /no longer exists/);
    assert.match(
      failureWords({ reason: 'the bake could not watch its alarms (Throttling): treated as an alarm' })!,
      /could not read its alarms/,
    );
  });
});
