import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAlarm, periodValues, type AlarmDefinition } from './alarm-eval.ts';

const alarm: AlarmDefinition = {
  name: 'smoke',
  threshold: 1,
  comparison: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  periodSeconds: 10,
};
const NOW = 1_000_000_000_000 + 5_000; // 5 s into a period
const at = (periodsAgo: number, value: number) => ({
  at: Math.floor(NOW / 10_000) * 10_000 - periodsAgo * 10_000 + 1_000,
  value,
});

describe('evaluateAlarm, with CloudWatch semantics', () => {
  it('sums the datapoints of each finished period, oldest first, leaving the current one out', () => {
    assert.deepEqual(periodValues(alarm, [at(3, 1), at(3, 2), at(1, 0), at(0, 9)], NOW), [3, undefined, 0]);
  });

  it('goes to ALARM when M of the last N periods breach, and stays OK below that', () => {
    assert.equal(evaluateAlarm(alarm, [at(3, 1), at(2, 0), at(1, 1)], NOW).state, 'ALARM');
    assert.equal(evaluateAlarm(alarm, [at(3, 0), at(2, 0), at(1, 1)], NOW).state, 'OK');
  });

  it('treats missing data as configured', () => {
    const sparse = [at(1, 1)];
    assert.equal(evaluateAlarm({ ...alarm, treatMissingData: 'breaching' }, sparse, NOW).state, 'ALARM');
    assert.equal(evaluateAlarm({ ...alarm, treatMissingData: 'notBreaching' }, sparse, NOW).state, 'OK');
    assert.equal(
      evaluateAlarm({ ...alarm, treatMissingData: 'missing' }, sparse, NOW).state,
      'OK',
      'judged on the datapoints there are',
    );
    assert.equal(evaluateAlarm({ ...alarm, treatMissingData: 'missing' }, [], NOW).state, 'INSUFFICIENT_DATA');
    assert.equal(
      evaluateAlarm({ ...alarm, treatMissingData: 'ignore' }, [], NOW, 'ALARM').state,
      'ALARM',
      'ignore keeps the state',
    );
    assert.equal(
      evaluateAlarm({ ...alarm, treatMissingData: 'breaching' }, [], NOW).state,
      'ALARM',
      'a silent metric is a breach',
    );
  });

  it('does not flap with a flapping metric when M of N needs two breaches', () => {
    const flapping = [at(3, 1), at(2, 0), at(1, 0)];
    assert.equal(evaluateAlarm(alarm, flapping, NOW).state, 'OK');
    assert.equal(
      evaluateAlarm({ ...alarm, datapointsToAlarm: 1 }, flapping, NOW).state,
      'ALARM',
      'one breach is enough with 1 of 3',
    );
    assert.equal(evaluateAlarm(alarm, [at(3, 1), at(2, 0), at(1, 1)], NOW).state, 'ALARM');
  });

  it('says why, with the values it judged', () => {
    assert.equal(
      evaluateAlarm(alarm, [at(3, 1), at(1, 2)], NOW).reason,
      '2 of the last 3 periods breached GreaterThanOrEqualToThreshold 1 (needs 2) [1, –, 2]',
    );
  });
});
