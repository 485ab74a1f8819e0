// Where alarm states come from: CloudWatch in AWS, a local alarm over local metrics in
// `uigate pipeline --local`. The bake and the pre-flight check only see this interface.
import type { AlarmState } from './alarm-eval.ts';

export interface AlarmStatus {
  name: string;
  /** MISSING: no alarm of that name. */
  state: AlarmState | 'MISSING';
  reason?: string;
  actionsEnabled?: boolean;
  /** Datapoints of the alarm's metric in the recent window (pre-flight only). */
  recentDatapoints?: number;
}

export interface AlarmSource {
  /** The alarms' current states. */
  states(names: readonly string[]): Promise<AlarmStatus[]>;
  /** States plus what pre-flight needs: actions enabled, recent datapoints of the metric. */
  inspect(names: readonly string[]): Promise<AlarmStatus[]>;
}

export interface Preflight {
  ok: boolean;
  problems: string[];
  /**
   * Every problem is one a fresh datapoint can cure (INSUFFICIENT_DATA, no recent datapoints):
   * right after a smoke probe was published, CloudWatch may simply not have taken it in yet.
   */
  transient: boolean;
}

/**
 * Whether the alarms can see anything: a watcher that is missing, muted, blind or already firing
 * would let a bad release through (or roll a good one back), so promotion waits.
 */
export function preflight(statuses: readonly AlarmStatus[]): Preflight {
  const problems: string[] = [];
  let lasting = statuses.length === 0;
  for (const alarm of statuses) {
    if (alarm.state === 'MISSING') {
      problems.push(`alarm ${alarm.name} does not exist`);
      lasting = true;
      continue;
    }
    if (alarm.actionsEnabled === false) problems.push(`alarm ${alarm.name} has its actions disabled`);
    if (alarm.state === 'ALARM')
      problems.push(
        `alarm ${alarm.name} is already firing (${alarm.reason ?? 'ALARM'}); promoting now would be judged by an old fault`,
      );
    lasting ||= alarm.actionsEnabled === false || alarm.state === 'ALARM';
    if (alarm.state === 'INSUFFICIENT_DATA')
      problems.push(`alarm ${alarm.name} is in INSUFFICIENT_DATA: it cannot tell good from bad`);
    if (alarm.recentDatapoints === 0)
      problems.push(`alarm ${alarm.name}'s metric has no recent datapoints: nothing is feeding it`);
  }
  if (statuses.length === 0) problems.push('no alarms to watch: pass at least one --alarm');
  return { ok: problems.length === 0, problems, transient: problems.length > 0 && !lasting };
}
