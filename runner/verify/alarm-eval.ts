// A metric alarm evaluated as CloudWatch evaluates one: the last `evaluationPeriods` periods, each
// breaching or not against the threshold, missing periods treated as `treatMissingData` says, ALARM
// when at least `datapointsToAlarm` of them breach ("M out of N"). Pure, so the local pipeline's
// alarm and its edge cases (missing data, flapping) behave as the real one would.
import type { AlarmEvidence } from './evidence.ts';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type Comparison =
  'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

export interface AlarmDefinition {
  name: string;
  threshold: number;
  comparison: Comparison;
  /** N: how many of the latest periods are looked at. */
  evaluationPeriods: number;
  /** M: how many of them must breach. @default evaluationPeriods */
  datapointsToAlarm?: number;
  periodSeconds: number;
  /** @default 'missing' */
  treatMissingData?: TreatMissingData;
  /** How a period's datapoints become one value. @default 'Sum' */
  statistic?: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount';
}

export interface Datapoint {
  at: number;
  value: number;
}

export const COMPARE: Record<Comparison, (value: number, threshold: number) => boolean> = {
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  GreaterThanThreshold: (v, t) => v > t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

function aggregate(values: number[], statistic: NonNullable<AlarmDefinition['statistic']>): number {
  switch (statistic) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'SampleCount':
      return values.length;
  }
}

/** Gives one value per period of the evaluation range, oldest first; undefined where no datapoint fell. */
export function periodValues(
  alarm: AlarmDefinition,
  datapoints: readonly Datapoint[],
  now: number,
): (number | undefined)[] {
  const period = alarm.periodSeconds * 1000;
  // Periods are aligned to the clock, as CloudWatch's are; the current, unfinished one is not judged.
  const end = Math.floor(now / period) * period;
  const values: (number | undefined)[] = [];
  for (let i = alarm.evaluationPeriods; i >= 1; i--) {
    const from = end - i * period;
    const inside = datapoints
      .filter((point) => point.at >= from && point.at < from + period)
      .map((point) => point.value);
    values.push(inside.length ? aggregate(inside, alarm.statistic ?? 'Sum') : undefined);
  }
  return values;
}

export interface Evaluation {
  state: AlarmState;
  reason: string;
  /** What was evaluated, as CloudWatch's StateReasonData tells it. */
  evidence: AlarmEvidence;
}

export function evaluateAlarm(
  alarm: AlarmDefinition,
  datapoints: readonly Datapoint[],
  now: number,
  previous: AlarmState = 'INSUFFICIENT_DATA',
): Evaluation {
  const values = periodValues(alarm, datapoints, now);
  const treat = alarm.treatMissingData ?? 'missing';
  const m = alarm.datapointsToAlarm ?? alarm.evaluationPeriods;
  const period = alarm.periodSeconds * 1000;
  const startAt = Math.floor(now / period) * period - alarm.evaluationPeriods * period;
  const judged = values.flatMap((value, i) => {
    const at = startAt + i * period;
    if (value !== undefined) return [{ at, breaching: COMPARE[alarm.comparison](value, alarm.threshold) }];
    if (treat === 'breaching') return [{ at, breaching: true }];
    if (treat === 'notBreaching') return [{ at, breaching: false }];
    return [];
  });
  const evidence: AlarmEvidence = { startAt, datapoints: judged, needed: m };
  const shown = values.map((value) => (value === undefined ? '–' : String(value))).join(', ');
  if (judged.length === 0) {
    if (treat === 'ignore')
      return {
        state: previous,
        reason: `no datapoints in ${alarm.evaluationPeriods} periods; missing data ignored, state kept`,
        evidence,
      };
    return { state: 'INSUFFICIENT_DATA', reason: `no datapoints in ${alarm.evaluationPeriods} periods`, evidence };
  }
  const breaching = judged.filter((point) => point.breaching).length;
  const state: AlarmState = breaching >= m ? 'ALARM' : 'OK';
  return {
    state,
    reason: `${breaching} of the last ${alarm.evaluationPeriods} periods breached ${alarm.comparison} ${alarm.threshold} (needs ${m}) [${shown}]`,
    evidence,
  };
}
