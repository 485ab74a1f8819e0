// The executor seam: how a batch of units gets run somewhere (this machine, Lambda, CodeBuild).
// The dispatcher owns scheduling and retries; an executor only runs one batch and says how it went.
import { InfraError } from '../core/errors.ts';
import { type ExecutorName, type UnitOutcome, type UnitRecord } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { Batch } from '../plan/plan.ts';
import { isFinal } from '../core/statuses.ts';
import { firstSeqOf } from '../core/seq.ts';

export interface BatchContext {
  runId: string;
  /** The batch's dispatch try: 1 for its first; re-queued units come back with a higher one. */
  dispatchTry: number;
  signal: AbortSignal;
  /** Each state a unit reaches, as it happens (for progress). */
  onUnit(record: UnitRecord): void;
}

export type { UnitOutcome };

export interface Executor {
  name: ExecutorName;
  /** Batches in flight at once. */
  capacity: number;
  /** Whether it can run this browser (a project's use.browserName; Playwright's default is chromium). */
  supports(browser: string): boolean;
  /** Resolves with the units that reached a final status; rejects with BatchError when the batch itself failed. */
  run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]>;
  /** Releases clients and connections once the run is over. */
  close?(): void | Promise<void>;
}

/**
 * How a batch failed. All but `rejected` (the executor refused the batch as given: running it
 * again would fail the same way) and `cancelled` re-queue the batch's unfinished units.
 */
export type BatchFailure = 'crashed' | 'timeout' | 'throttled' | 'lost' | 'rejected' | 'cancelled';

/** The batch, not a test, failed. Units it finished are in `results`; the rest are re-queued. */
export class BatchError extends InfraError {
  override readonly name: string = 'BatchError';
  constructor(
    message: string,
    readonly kind: BatchFailure,
    readonly results: UnitOutcome[] = [],
    /** Lambda request id, CodeBuild build id, process id. */
    readonly ref?: string,
  ) {
    super(message);
  }
}

/**
 * Units of a batch the store has as finished in this dispatch try (by `ref`, the request or build
 * that ran them, when given): what an executor that lost its batch can still count as done.
 */
export async function finishedInStore(
  results: ResultStore,
  batch: Batch,
  context: Pick<BatchContext, 'runId' | 'dispatchTry'>,
  ref?: string,
): Promise<UnitOutcome[]> {
  const keys = batch.units.map((unit) => unit.key);
  const units = await results.getUnitsByKey(context.runId, keys).catch(() => []);
  return units
    .filter(
      (unit) =>
        isFinal(unit.status) && unit.seq >= firstSeqOf(context.dispatchTry) && (!ref || unit.executorRef === ref),
    )
    .map((record) => ({ record, stored: true }));
}
