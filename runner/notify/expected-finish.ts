// When a run that just started is likely to end: the median duration of the last runs of the same
// projects that ran the whole suite to the end, from the store's own history. A run narrowed by
// module, grep, shard or a rerun says nothing about another; no history, no promise.
import type { RunMeta } from '../core/model.ts';
import type { ExecutionTimes } from '../store/pipeline-log.ts';

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
  const middle = median(durations);
  return middle === undefined ? undefined : new Date(Date.parse(run.startedAt) + middle).toISOString();
}

/** The median of at least MIN_RUNS values; undefined below that. */
export function median(values: readonly number[]): number | undefined {
  if (values.length < MIN_RUNS) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * When the pipeline should be done, seen from its Test stage once the run's own end is expected:
 * that end, then the median of each stage after Test over the latest succeeded executions — the
 * pipeline's expected finish, refined by the run's plan.
 */
export function pipelineFinishAfterRun(
  runFinishAt: string | undefined,
  history: readonly ExecutionTimes[],
): string | undefined {
  const latest = history[0];
  if (!runFinishAt || !latest?.stages || !latest.testStage) return undefined;
  const after = latest.stages.slice(latest.stages.indexOf(latest.testStage) + 1);
  let end = Date.parse(runFinishAt);
  for (const stage of after) {
    const middle = median(
      history
        .slice(0, HISTORY_RUNS)
        .flatMap((times) => (times.stageMs[stage] === undefined ? [] : [times.stageMs[stage]])),
    );
    if (middle === undefined) return undefined;
    end += middle;
  }
  return new Date(end).toISOString();
}

/** Narrowed to part of the suite: anything but a choice of projects. */
const narrowed = (run: Pick<RunMeta, 'selection'>) =>
  Object.keys(run.selection ?? {}).some((key) => key !== 'projects');
