// When an execution should be done, said at each of its moments: the stage running now ends at its
// median (or, for the Test stage, when its uigate run expects to), then every later stage takes its
// median — medians over the latest executions that succeeded. A stage with too little history
// makes no promise at all rather than a wrong one. Pure.
import { median } from '../notify/expected-finish.ts';
import type { ExecutionTimes } from '../store/pipeline-log.ts';

/** Executions the medians are taken over (a median needs two: notify/expected-finish.ts). */
export const FINISH_HISTORY = 10;

export interface FinishQuestion {
  stages: readonly string[];
  history: readonly ExecutionTimes[];
  /** The stage running now, and since when. */
  current: number;
  currentSince: string;
  /** The moment being told: no stage ends before it. */
  at: string;
  /** The Test stage, and when its run expects to be done, once the run has started. */
  testStage?: string;
  runFinishAt?: string;
}

export function pipelineFinish(q: FinishQuestion): string | undefined {
  const recent = q.history.slice(0, FINISH_HISTORY);
  const medians = q.stages.map((stage) =>
    median(recent.map((times) => times.stageMs[stage]).filter((ms): ms is number => ms !== undefined)),
  );
  const current = q.stages[q.current];
  const runEnd = current === q.testStage && q.runFinishAt ? Date.parse(q.runFinishAt) : undefined;
  const currentMedian = medians[q.current];
  if (runEnd === undefined && currentMedian === undefined) return undefined;
  let end = Math.max(runEnd ?? Date.parse(q.currentSince) + currentMedian!, Date.parse(q.at));
  for (let i = q.current + 1; i < q.stages.length; i++) {
    if (medians[i] === undefined) return undefined;
    end += medians[i]!;
  }
  return new Date(end).toISOString();
}
