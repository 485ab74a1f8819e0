// The words of a run's timeline: every event type, once, with the partition that keeps it and
// the payload it carries where its readers rely on one. Writers, the store, the page's labels (and,
// next, the notifier) use these types, so an event nobody can label or store is a type error.

/**
 * Every event type and its partition: `approval` events (requests, votes, decisions and their
 * delivery) are kept apart, where only the gate and approval functions may write (infra/README.md,
 * "Who may touch which records"); the rest is the run's own.
 */
export const RUN_EVENT_PARTITION = {
  gate: 'run',
  'approval-requested': 'approval',
  'approval-superseded': 'approval',
  'approval-vote': 'approval',
  'approval-decided': 'approval',
  'approval-delivered': 'approval',
  'approval-undeliverable': 'approval',
  'approval-pipeline-error': 'approval',
  /** A screenshot change accepted or rejected in this run's review (gate/visual-decisions.ts). */
  'approval-visual': 'approval',
  /** In a change's own ledger (its fingerprint): accepted, in which run, by whom. */
  'visual-accepted': 'approval',
  resumed: 'run',
  'preflight-passed': 'run',
  'preflight-failed': 'run',
  'preflight-skipped': 'run',
  promoted: 'run',
  'fault-injected': 'run',
  'bake-started': 'run',
  'alarm-before-release': 'run',
  verified: 'run',
  alarm: 'run',
  'bake-error': 'run',
  'bake-cancelled': 'run',
  'rollback-started': 'run',
  'rollback-restored': 'run',
  'rollback-impossible': 'run',
  'rollback-failed': 'run',
} as const satisfies Record<string, 'run' | 'approval'>;

export type RunEventType = keyof typeof RUN_EVENT_PARTITION;

export const isApprovalEvent = (type: RunEventType): boolean => RUN_EVENT_PARTITION[type] === 'approval';

/** What the release's timeline events carry (the bake, promotion and rollback in runner/verify). */
export interface ReleaseEventDetail {
  'preflight-passed': { alarms: string[]; problems: string[]; notes?: string[]; waitedMs?: number };
  'preflight-failed': { alarms: string[]; problems: string[]; notes?: string[]; waitedMs?: number };
  'preflight-skipped': { target: string; reason: string };
  promoted: { target: string; releaseId: string; previous?: string | null };
  'fault-injected': { what: string };
  'bake-started': { target: string; releaseId: string; alarms: string[]; bakeMs: number };
  'alarm-before-release': { alarm: string; reason: string; since: string; said: string };
  verified: { target: string; releaseId: string; checks: number };
  /** `smokeRuns`: the failed smoke runs behind it, newest last. */
  alarm: { alarm: string; state: string; reason: string; smokeRuns?: string[] };
  'bake-error': { reason: string };
  'bake-cancelled': { reason: string };
  'rollback-started': { from: string; to: string };
  'rollback-restored': { releaseId: string; commit: string | null; msFromAlarm: number };
  'rollback-impossible': { reason: string };
  'rollback-failed': { to: string; reason: string };
}
