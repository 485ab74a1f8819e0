// Runs a batch on this machine: one Playwright Test process for exactly the batch's units.
import { join } from 'node:path';
import type { Batch } from '../plan/plan.ts';
import type { StoreAddress } from '../store/store-address.ts';
import { describeCrash, runPlaywrightBatch } from '../playwright/batch.ts';
import type { WarmPool } from '../playwright/warm-start.ts';
import { batchReportDir, blobKey } from '../artifacts/report-keys.ts';
import { BatchError, type BatchContext, type Executor, type UnitOutcome } from './executor.ts';

export interface LocalExecutorOptions {
  cwd: string;
  playwrightConfig: string;
  /** Playwright processes at once. */
  capacity: number;
  /** Workers in each Playwright process. @default 1 */
  workersEach?: number;
  /** Where batch files and Playwright's output go: `.uigate/runs/<runId>`. */
  workDir: string;
  store: StoreAddress;
  artifactsDir: string;
  /** Extra environment for the Playwright processes (BASE_URL, say). */
  env?: Record<string, string>;
  /** Extra Playwright CLI arguments (`--retries 1`, say). */
  args?: string[];
  /** Warm Playwright processes (playwright/warm-start.ts): a batch takes one instead of starting cold. */
  warm?: WarmPool;
}

export class LocalExecutor implements Executor {
  readonly name = 'local' as const;
  readonly capacity: number;

  constructor(private readonly options: LocalExecutorOptions) {
    this.capacity = Math.max(1, options.capacity);
    // Processes side by side: one warm for each, loading while the run is recorded. One process
    // alone took the one started beside the listing, and writes its own HTML report.
    if (this.capacity > 1) options.warm?.fill(this.capacity);
  }

  supports(): boolean {
    return true;
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    const result = await runPlaywrightBatch({
      cwd: this.options.cwd,
      playwrightConfig: this.options.playwrightConfig,
      units: batch.units,
      workDir: join(this.options.workDir, `${batch.id}-d${context.dispatchTry}`),
      context: {
        runId: context.runId,
        executor: 'local',
        executorRef: batch.id,
        dispatchTry: context.dispatchTry,
        store: this.options.store,
        artifactsDir: this.options.artifactsDir,
      },
      env: this.options.env,
      args: this.options.args,
      workers: this.options.workersEach,
      // One process runs all the local work: it writes the run's HTML report itself.
      htmlReport:
        this.capacity === 1
          ? batchReportDir(this.options.workDir, blobKey(context.runId, batch.id, context.dispatchTry))
          : undefined,
      warm: this.options.warm,
      signal: context.signal,
      onUnit: context.onUnit,
    });
    // Side by side, the next batch or merge-reports at the end will want one: it loads on the
    // core this batch leaves free, while the others finish.
    if (this.capacity > 1 && !context.signal.aborted) this.options.warm?.fill(1);
    if (context.signal.aborted) {
      const reason = context.signal.reason instanceof BatchError ? context.signal.reason : undefined;
      throw new BatchError(
        reason?.message ?? 'batch stopped',
        reason?.kind ?? 'cancelled',
        result.outcomes,
        `pid ${result.pid}`,
      );
    }
    if (!result.ended)
      throw new BatchError(
        describeCrash(result, `Playwright process for ${batch.id}`),
        'crashed',
        result.outcomes,
        `pid ${result.pid}`,
      );
    return result.outcomes;
  }
}
