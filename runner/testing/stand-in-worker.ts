// Test helper: what a CodeBuild worker writes for the units it ran, where a test plays the
// container instead of running `uigate worker` (codebuild.test.ts, codebuild-moto.test.ts).
import type { UnitRef } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';

/** Records `units` as passed by build `buildId` in dispatch try `dispatchTry`. */
export function recordPassed(
  store: ResultStore,
  run: { runId: string; buildId: string; dispatchTry: number },
  units: readonly UnitRef[],
): Promise<boolean[]> {
  return Promise.all(
    units.map((unit) =>
      store.recordUnit({
        ...unit,
        runId: run.runId,
        status: 'passed',
        seq: run.dispatchTry * 1000,
        attempt: 1,
        executor: 'codebuild',
        executorRef: run.buildId,
      }),
    ),
  );
}
