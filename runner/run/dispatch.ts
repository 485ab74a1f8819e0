// Dispatch: one queue per executor, bounded by its capacity. A batch that fails as a batch
// (crash, timeout, throttle, lost container) has its unfinished units re-queued, up to
// `infraRetries` times, then recorded as `errored`. A test failure is never retried here —
// Playwright's own `retries` does that, and marks flakiness.
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { BatchError, type Executor, type UnitOutcome } from '../executors/executor.ts';
import { type ExecutorName, type UnitRecord, type UnitRef } from '../core/model.ts';
import type { Batch } from '../plan/plan.ts';
import type { ResultStore } from '../store/result-store.ts';
import { isFinal } from '../core/statuses.ts';

export interface DispatchEvents {
  onUnit?(record: UnitRecord): void;
  onBatchStart?(batch: Batch, dispatch: number): void;
  onBatchEnd?(batch: Batch, dispatch: number, error?: BatchError): void;
  /** Units that will be run again after their batch failed. */
  onRequeue?(units: UnitRef[], error: BatchError, dispatch: number): void;
  /** Units given up on. */
  onErrored?(units: UnitRef[], reason: string): void;
}

export interface DispatchOptions extends DispatchEvents {
  runId: string;
  batches: Batch[];
  executors: ReadonlyMap<ExecutorName, Executor>;
  store: ResultStore;
  /** Times a failed batch's unfinished units are re-queued. */
  infraRetries: number;
  batchTimeoutMs: number;
  signal: AbortSignal;
  /**
   * The dispatch try the first batches run as. A resumed run starts above every try before it, so
   * its fresh results outrank anything a dead orchestrator's batches still write. @default 1
   */
  firstDispatch?: number;
}

export interface DispatchResult {
  /** Units given up on after their batches kept failing, with the last reason. */
  errored: Map<string, string>;
  /** Batches run, counting re-queued ones. */
  batchesRun: number;
}

export async function dispatch(options: DispatchOptions): Promise<DispatchResult> {
  // Every batch in flight listens for cancellation: a hundred Lambda invocations is not a leak.
  const inFlight = [...options.executors.values()].reduce((sum, executor) => sum + executor.capacity, 0);
  setMaxListeners(Math.max(10, inFlight * 2 + 10), options.signal);
  const limits = new Map([...options.executors].map(([name, executor]) => [name, pLimit(executor.capacity)]));
  const errored = new Map<string, string>();
  let batchesRun = 0;

  const runBatch = async (batch: Batch, dispatchTry: number): Promise<void> => {
    const executor = options.executors.get(batch.executor);
    const limit = limits.get(batch.executor);
    if (!executor || !limit) throw new Error(`no executor "${batch.executor}" for batch ${batch.id}`);
    await limit(async () => {
      if (options.signal.aborted) return;
      batchesRun++;
      options.onBatchStart?.(batch, dispatchTry);
      const controller = new AbortController();
      const timer = setTimeout(
        () =>
          controller.abort(
            new BatchError(
              `batch ${batch.id} ran past its timeout of ${Math.round(options.batchTimeoutMs / 1000)} s`,
              'timeout',
            ),
          ),
        options.batchTimeoutMs,
      );
      const onAbort = () => controller.abort(new BatchError('run cancelled', 'cancelled'));
      options.signal.addEventListener('abort', onAbort, { once: true });
      let failure: BatchError | undefined;
      let results: UnitOutcome[];
      try {
        results = await executor.run(batch, {
          runId: options.runId,
          dispatch: dispatchTry,
          signal: controller.signal,
          onUnit: (unit) => options.onUnit?.(unit),
        });
      } catch (error) {
        failure = error instanceof BatchError ? error : new BatchError((error as Error).message, 'crashed');
        results = failure.results;
      } finally {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
      }
      // Results the executor side could not write (it died mid-write, or the store throttled it): we do.
      await Promise.all(
        results.filter((outcome) => !outcome.stored).map((outcome) => options.store.recordUnit(outcome.record)),
      );
      options.onBatchEnd?.(batch, dispatchTry, failure);
      if (failure?.kind === 'cancelled' || options.signal.aborted) return;

      const done = new Set(results.filter(({ record }) => isFinal(record.status)).map(({ record }) => record.key));
      const unfinished = batch.units.filter((unit) => !done.has(unit.key));
      if (unfinished.length === 0) return;
      if (!failure) {
        // Playwright ran, finished, and never saw these: the spec changed after planning, or a
        // line of the test list matched nothing. Running them again would not help.
        await giveUp(
          unfinished,
          'not run: Playwright did not find this test when the batch ran (was the spec changed after planning?)',
        );
        return;
      }
      if (failure.kind === 'rejected') {
        await giveUp(unfinished, failure.message);
        return;
      }
      if (dispatchTry - first + 1 > options.infraRetries) {
        await giveUp(unfinished, `${failure.message} (gave up after ${dispatchTry - first + 1} tries)`);
        return;
      }
      options.onRequeue?.(unfinished, failure, dispatchTry + 1);
      const again: Batch = { ...batch, id: `${batch.id}.${dispatchTry + 1}`, units: unfinished };
      pending.push(runBatch(again, dispatchTry + 1));
    });
  };

  const giveUp = async (units: UnitRef[], reason: string) => {
    for (const unit of units) errored.set(unit.key, reason);
    await options.store.closeUnits(
      options.runId,
      units.map((unit) => unit.key),
      'errored',
      reason,
    );
    options.onErrored?.(units, reason);
  };

  const first = options.firstDispatch ?? 1;
  const pending: Promise<void>[] = options.batches.map((batch) => runBatch(batch, first));
  // Re-queued batches join `pending` while we wait; keep waiting until nothing new was added.
  for (let seen = 0; seen < pending.length;) {
    const count = pending.length;
    await Promise.all(pending.slice(seen));
    seen = count;
  }
  return { errored, batchesRun };
}
