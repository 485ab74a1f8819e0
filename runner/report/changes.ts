// What changed since the last full run on the same branch: which failures are new (the unit passed
// then), which were failing already, which are fixed. The first question when a run goes red is
// "did we break this, or was it broken?" — the gate asks it of the last approved run; a person
// triaging asks it of the run before.
import { leavesOutTests } from '../core/selection.ts';
import type { RunMeta, UnitRecord } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { isFailing, isNewFailure, isPassing } from '../core/statuses.ts';

/** Enough to step over a day of re-runs and narrowed runs on a busy branch. */
const LOOK_BACK_RUNS = 300;

export interface RunChanges {
  /** The run compared with; null when there is none. */
  baseline: Pick<RunMeta, 'runId' | 'status' | 'startedAt'> | null;
  /** Unit keys failing now that passed then. */
  newFailures: string[];
  /** Unit keys failing now and then. */
  stillFailing: string[];
  /** Unit keys passing now that failed then. */
  fixed: string[];
  /**
   * Unit keys failing now with no result then: a test the baseline did not have (new, renamed), or
   * one it skipped or stopped. Not a regression anyone can prove, but never "nothing new" either.
   */
  firstFailures: string[];
}

/**
 * Finds the newest earlier run on the branch that finished, left no test out, and ran every
 * project this one runs: a chromium-only run says nothing about a firefox failure.
 */
export async function previousFullRun(store: ResultStore, run: RunMeta): Promise<RunMeta | undefined> {
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await store.listRuns({ limit: 100, cursor });
    const found = page.items.find(
      (other) =>
        other.runId < run.runId &&
        other.branch === run.branch &&
        other.status !== 'running' &&
        !leavesOutTests(other.selection) &&
        run.projects.every((project) => (other.projects ?? []).includes(project)),
    );
    if (found) return found;
    seen += page.items.length;
    cursor = page.cursor;
  } while (cursor && seen < LOOK_BACK_RUNS);
  return undefined;
}

export function compareUnits(
  now: readonly Pick<UnitRecord, 'key' | 'status'>[],
  before: readonly Pick<UnitRecord, 'key' | 'status'>[],
): Omit<RunChanges, 'baseline'> {
  const then = new Map(before.map((unit) => [unit.key, unit.status]));
  const changes = {
    newFailures: [] as string[],
    stillFailing: [] as string[],
    fixed: [] as string[],
    firstFailures: [] as string[],
  };
  for (const unit of now) {
    const was = then.get(unit.key);
    // Failing with nothing to compare: the baseline lacked it, or skipped or stopped it.
    if (isFailing(unit.status) && (!was || (!isFailing(was) && !isPassing(was)))) {
      changes.firstFailures.push(unit.key);
      continue;
    }
    if (!was) continue;
    if (isNewFailure(unit.status, was)) changes.newFailures.push(unit.key);
    else if (isFailing(unit.status) && isFailing(was)) changes.stillFailing.push(unit.key);
    else if (isPassing(unit.status) && isFailing(was)) changes.fixed.push(unit.key);
  }
  return changes;
}

export const NO_CHANGES: RunChanges = {
  baseline: null,
  newFailures: [],
  stillFailing: [],
  fixed: [],
  firstFailures: [],
};

/** Compares the run with the last full run on its branch (baseline null when there is none); units read by `unitsOf`, the store's by default. */
export async function changesSince(
  store: ResultStore,
  run: RunMeta,
  units: readonly UnitRecord[],
  unitsOf = (runId: string) => store.getUnits(runId),
): Promise<RunChanges> {
  const baseline = await previousFullRun(store, run);
  if (!baseline) return NO_CHANGES;
  const { runId, status, startedAt } = baseline;
  return { baseline: { runId, status, startedAt }, ...compareUnits(units, await unitsOf(runId)) };
}

/** Describes the changes in one line for the terminal: the counts, and the first new failures by name. */
export function describeChanges(changes: RunChanges, units: readonly UnitRecord[], branch = 'this branch'): string {
  const byKey = new Map(units.map((unit) => [unit.key, unit]));
  const named = changes.newFailures
    .slice(0, 3)
    .map((key) => byKey.get(key))
    .filter((unit) => unit !== undefined)
    .map((unit) => `[${unit.project}] ${unit.titlePath.join(' › ')}`);
  const more = changes.newFailures.length > named.length ? `; +${changes.newFailures.length - named.length} more` : '';
  const newOnes = `${changes.newFailures.length} new failure${changes.newFailures.length === 1 ? '' : 's'}${named.length ? ` (${named.join('; ')}${more})` : ''}`;
  const first = changes.firstFailures.length ? `, ${changes.firstFailures.length} failing in their first run` : '';
  return `since ${changes.baseline?.runId}, the last full run on ${branch}: ${newOnes}${first}, ${changes.stillFailing.length} failing before too, ${changes.fixed.length} fixed`;
}
