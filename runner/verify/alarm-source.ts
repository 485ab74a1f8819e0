// Where alarm states come from: CloudWatch in AWS, a local alarm over local metrics in
// `uigate pipeline --local`. The bake and the pre-flight check only see this interface.
import type { AlarmState } from './alarm-eval.ts';
import type { AlarmEvidence } from './evidence.ts';

export interface AlarmStatus {
  name: string;
  /** MISSING: no alarm of that name. */
  state: AlarmState | 'MISSING';
  reason?: string;
  actionsEnabled?: boolean;
  /** Datapoints of the alarm's metric in the recent window (pre-flight only). */
  recentDatapoints?: number;
  /** What its last evaluation looked at: tells whether an ALARM is a release's own evidence. */
  evidence?: AlarmEvidence;
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
  /** What does not block but must be said: production failing now, so this release fixes forward. */
  notes: string[];
  /**
   * Every problem is one a fresh datapoint can cure (INSUFFICIENT_DATA, no recent datapoints):
   * right after a smoke probe was published, CloudWatch may simply not have taken it in yet.
   */
  transient: boolean;
}

/**
 * Whether the alarms can see anything: a watcher that is missing, muted or blind would let a bad
 * release through, so promotion waits. One already firing does not block: fixing forward is the
 * usual answer to an incident, and the bake judges the new release only on datapoints measured
 * after it went live (evidence.ts), so the old fault cannot roll it back.
 */
export function preflight(statuses: readonly AlarmStatus[]): Preflight {
  const problems: string[] = [];
  const notes: string[] = [];
  let lasting = statuses.length === 0;
  for (const alarm of statuses) {
    if (alarm.state === 'MISSING') {
      problems.push(`alarm ${alarm.name} does not exist`);
      lasting = true;
      continue;
    }
    if (alarm.actionsEnabled === false) problems.push(`alarm ${alarm.name} has its actions disabled`);
    lasting ||= alarm.actionsEnabled === false;
    if (alarm.state === 'ALARM')
      notes.push(
        `alarm ${alarm.name} is firing now (${alarm.reason ?? 'ALARM'}): production is failing before this release, which fixes forward and is judged only on what is measured after it goes live`,
      );
    if (alarm.state === 'INSUFFICIENT_DATA')
      problems.push(`alarm ${alarm.name} is in INSUFFICIENT_DATA: it cannot tell good from bad`);
    if (alarm.recentDatapoints === 0)
      problems.push(`alarm ${alarm.name}'s metric has no recent datapoints: nothing is feeding it`);
  }
  if (statuses.length === 0) problems.push('no alarms to watch: pass at least one --alarm');
  return { ok: problems.length === 0, problems, notes, transient: problems.length > 0 && !lasting };
}
