// The one vocabulary of unit statuses, used alike by the terminal, the store, the gate, the
// changes between runs and the status page: which are final, which pass, which fail, in what
// order and with which symbol they are shown. (Types only from model.ts: the page bundles this.)
import type { RunMeta, RunStatus, StatusCounts, UnitStatus } from './model.ts';

/** A result that no later delivery of the same try changes. */
export const FINAL_STATUSES: readonly UnitStatus[] = ['passed', 'flaky', 'failed', 'skipped', 'errored', 'cancelled'];
export const isFinal = (status: UnitStatus): boolean => FINAL_STATUSES.includes(status);

/** The test ran and passed, at once or on a retry. */
export const isPassing = (status: UnitStatus): boolean => status === 'passed' || status === 'flaky';

/**
 * The test did not pass: its own failure, or uigate could not get a result (errored). Cancelled is
 * neither passing nor failing — the run was stopped — and skipped proved nothing either way.
 */
export const isFailing = (status: UnitStatus): boolean => status === 'failed' || status === 'errored';

/** Lets a run pass: passing, or skipped on purpose. Everything else keeps a run, and a release, from passing. */
export const isGood = (status: UnitStatus): boolean => isPassing(status) || status === 'skipped';

/** What a person should look at first: failures and flaky passes. */
export const needsALook = (status: UnitStatus): boolean => isFailing(status) || status === 'flaky';

/** Durations worth learning from: a test that ran to an end (not skipped, not cut short). */
export const isMeasured = (status: UnitStatus): boolean => isPassing(status) || status === 'failed';

/**
 * A new failure: failing now, passing then. A unit skipped, cancelled or absent then is neither
 * new nor old — there was nothing to compare with.
 */
export const isNewFailure = (now: UnitStatus, then: UnitStatus | undefined): boolean =>
  isFailing(now) && then !== undefined && isPassing(then);

/** The order statuses are counted and listed in: outcomes first, then what is still going. */
export const DISPLAY_ORDER: readonly UnitStatus[] = [
  'passed',
  'flaky',
  'failed',
  'errored',
  'skipped',
  'cancelled',
  'queued',
  'running',
  'retrying',
];

/** The status a group of units shows: the one a person most needs to see. */
const SEVERITY: readonly UnitStatus[] = [
  'failed',
  'errored',
  'retrying',
  'running',
  'flaky',
  'queued',
  'cancelled',
  'passed',
  'skipped',
];
export function worst(statuses: Iterable<UnitStatus>): UnitStatus {
  const seen = new Set(statuses);
  return SEVERITY.find((status) => seen.has(status)) ?? 'queued';
}

export const STATUS_ICON: Record<UnitStatus, string> = {
  queued: '·',
  running: '◌',
  retrying: '↻',
  passed: '✓',
  flaky: '~',
  failed: '✘',
  skipped: '↷',
  errored: '!',
  cancelled: '∅',
};

export function countStatuses(units: readonly { status: UnitStatus }[]): StatusCounts {
  const counts: StatusCounts = {};
  for (const unit of units) counts[unit.status] = (counts[unit.status] ?? 0) + 1;
  return counts;
}

/** A finished run's status from its units: failed if any failed; errored if any has no result; cancelled if any was stopped. */
export function runStatusOf(units: readonly { status: UnitStatus }[]): RunStatus {
  if (units.some((unit) => unit.status === 'failed')) return 'failed';
  if (units.some((unit) => unit.status === 'errored' || !isFinal(unit.status))) return 'errored';
  if (units.some((unit) => unit.status === 'cancelled')) return 'cancelled';
  return 'passed';
}

/** How often a running run's process says it is alive. */
export const HEARTBEAT_MS = 30_000;

/**
 * A run still `running` whose process has not said it is alive for three heartbeats: the process
 * is gone (killed, its machine lost) and nothing will end the run; `uigate run --resume` will.
 * Runs from before heartbeats are not judged.
 */
export function isLost(run: Pick<RunMeta, 'status' | 'heartbeatAt'>, now: number): boolean {
  return (
    run.status === 'running' && run.heartbeatAt !== undefined && now - Date.parse(run.heartbeatAt) > 3 * HEARTBEAT_MS
  );
}

/** The status a person is shown: `lost` for a run whose process is gone, else the stored one. */
export const shownStatus = (run: Pick<RunMeta, 'status' | 'heartbeatAt'>, now: number): RunStatus | 'lost' =>
  isLost(run, now) ? 'lost' : run.status;
