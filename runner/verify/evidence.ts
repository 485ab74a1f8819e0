// Whose evidence an alarm is. A release is judged only on what was measured while it was live: an
// alarm whose breaching datapoints were all measured before the promotion (the pre-flight's probe
// of a broken production, the previous release's last minutes) says nothing about this release.
// CloudWatch tells what an evaluation looked at in the alarm's StateReasonData: `startDate`, the
// start of the oldest period evaluated, and `evaluatedDatapoints`, each period by its start
// timestamp with its value (none where data was missing). See infra/README.md's table.
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Comparison, TreatMissingData } from './alarm-eval.ts';
import { COMPARE } from './alarm-eval.ts';

export interface AlarmEvidence {
  /** Start of the oldest period the evaluation looked at. */
  startAt?: number;
  /** Each evaluated period by its start, and whether it breached. */
  datapoints?: { at: number; breaching: boolean }[];
  /** How many breaching periods make ALARM (M of "M out of N"). */
  needed?: number;
}

/**
 * Whether an alarm in ALARM stands only on what was measured before `since` (the promotion).
 * With the evaluated periods known: fewer than M of them breached in periods that began at or
 * after `since` (a period that began before it mixes both releases, so it is not counted). With
 * only the window's start known: the window still reaches back before `since`, so wait until it
 * does not. With nothing known (a state set by hand, an alarm on a math expression): the ALARM is
 * taken as this release's, as before, so a fault is never waited out on missing data.
 */
export function measuredBefore(evidence: AlarmEvidence | undefined, since: number): boolean {
  if (evidence?.datapoints?.length) {
    const own = evidence.datapoints.filter((point) => point.breaching && point.at >= since).length;
    return own < (evidence.needed ?? 1);
  }
  if (evidence?.startAt !== undefined) return evidence.startAt < since;
  return false;
}

interface ReasonData {
  startDate?: string;
  evaluatedDatapoints?: { timestamp?: string; value?: number }[];
}

/** Reads a CloudWatch stamp ("+0000", which Date.parse reads too); an unreadable stamp is no evidence. */
function timeOf(stamp: string | undefined): number | undefined {
  if (!stamp) return undefined;
  const at = Date.parse(stamp);
  return Number.isFinite(at) ? at : undefined;
}

/** Reads the evidence of a metric alarm's last evaluation from its StateReasonData; undefined when it tells nothing. */
export function evidenceOf(alarm: MetricAlarm): AlarmEvidence | undefined {
  let data: ReasonData;
  try {
    data = JSON.parse(alarm.StateReasonData ?? '') as ReasonData;
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const compare = alarm.ComparisonOperator ? COMPARE[alarm.ComparisonOperator as Comparison] : undefined;
  const treat = alarm.TreatMissingData as TreatMissingData | undefined;
  const datapoints = compare
    ? (data.evaluatedDatapoints ?? []).flatMap((point) => {
        const at = timeOf(point.timestamp);
        if (at === undefined) return [];
        const breaching =
          typeof point.value === 'number' ? compare(point.value, alarm.Threshold ?? 0) : treat === 'breaching';
        return [{ at, breaching }];
      })
    : [];
  const startAt = timeOf(data.startDate);
  if (!datapoints.length && startAt === undefined) return undefined;
  return {
    ...(startAt !== undefined ? { startAt } : {}),
    ...(datapoints.length ? { datapoints } : {}),
    needed: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods ?? 1,
  };
}
