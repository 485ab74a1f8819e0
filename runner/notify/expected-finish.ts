// When a run that just started is likely to end: the median duration of the last runs of the same
// projects that ran the whole suite to the end, from the store's own history. A run narrowed by
// module, grep, shard or a rerun says nothing about another; no history, no promise.
import type { RunMeta } from '../core/model.ts';

/** How many recent runs the median is taken over; fewer than MIN_RUNS is no estimate at all. */
export const HISTORY_RUNS = 10;
const MIN_RUNS = 2;

export function expectedFinish(
  run: Pick<RunMeta, 'runId' | 'startedAt' | 'projects' | 'selection'>,
  history: readonly RunMeta[],
): string | undefined {
  if (narrowed(run)) return undefined;
  const same = (projects: readonly string[]) => [...projects].sort().join(',') === [...run.projects].sort().join(',');
  const durations = history
    .filter((past) => past.runId !== run.runId && !narrowed(past) && same(past.projects))
    .filter((past) => (past.status === 'passed' || past.status === 'failed') && past.durationMs !== undefined)
    .slice(0, HISTORY_RUNS)
    .map((past) => past.durationMs!)
    .sort((a, b) => a - b);
  if (durations.length < MIN_RUNS) return undefined;
  const middle = durations.length / 2;
  const median =
    durations.length % 2 ? durations[Math.floor(middle)]! : (durations[middle - 1]! + durations[middle]!) / 2;
  return new Date(Date.parse(run.startedAt) + median).toISOString();
}

/** Narrowed to part of the suite: anything but a choice of projects. */
const narrowed = (run: Pick<RunMeta, 'selection'>) =>
  Object.keys(run.selection ?? {}).some((key) => key !== 'projects');
