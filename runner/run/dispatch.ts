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
import { InfraError } from '../core/errors.ts';

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
  return new Dispatcher(options).run();
}

/** How one try of a batch went: its outcomes, and why it failed as a batch, if it did. */
interface Attempt {
  results: UnitOutcome[];
  failure?: BatchError;
}

class Dispatcher {
  private readonly limits: Map<ExecutorName, ReturnType<typeof pLimit>>;
  private readonly errored = new Map<string, string>();
  private readonly pending: Promise<void>[] = [];
  private readonly first: number;
  private batchesRun = 0;
  /** The first store error: no batch starts after it, and the run ends as an infrastructure error. */
  private storeFailure: Error | undefined;

  constructor(private readonly options: DispatchOptions) {
    // Every batch in flight listens for cancellation: a hundred Lambda invocations is not a leak.
    const inFlight = [...options.executors.values()].reduce((sum, executor) => sum + executor.capacity, 0);
    setMaxListeners(Math.max(10, inFlight * 2 + 10), options.signal);
    this.limits = new Map([...options.executors].map(([name, executor]) => [name, pLimit(executor.capacity)]));
    this.first = options.firstDispatch ?? 1;
  }

  async run(): Promise<DispatchResult> {
    this.pending.push(...this.options.batches.map((batch) => this.runBatch(batch, this.first)));
    // Re-queued batches join `pending` while we wait; keep waiting until nothing new was added.
    for (let seen = 0; seen < this.pending.length;) {
      const count = this.pending.length;
      await Promise.all(this.pending.slice(seen));
      seen = count;
    }
    if (this.storeFailure)
      throw new InfraError(
        `the result store failed while recording results (${this.storeFailure.message}); no batch was started after it and those under way were finished. \`uigate run --resume\` runs what is left`,
      );
    return { errored: this.errored, batchesRun: this.batchesRun };
  }

  private async runBatch(batch: Batch, dispatchTry: number): Promise<void> {
    const executor = this.options.executors.get(batch.executor);
    const limit = this.limits.get(batch.executor);
    if (!executor || !limit) throw new Error(`no executor "${batch.executor}" for batch ${batch.id}`);
    await limit(async () => {
      if (this.options.signal.aborted || this.storeFailure) return;
      this.batchesRun++;
      this.options.onBatchStart?.(batch, dispatchTry);
      const attempt = await this.attempt(executor, batch, dispatchTry);
      try {
        // Results the executor side could not write (it died mid-write, or the store throttled it): we do.
        await Promise.all(
          attempt.results
            .filter((outcome) => !outcome.stored)
            .map((outcome) => this.options.store.recordUnit(outcome.record)),
        );
        this.options.onBatchEnd?.(batch, dispatchTry, attempt.failure);
        if (attempt.failure?.kind === 'cancelled' || this.options.signal.aborted) return;
        await this.settle(batch, dispatchTry, attempt);
      } catch (error) {
        // Not thrown from here: the batches under way would go on unwatched and a second failure
        // would be an unhandled rejection. Remembered; run() ends once everything under way has.
        this.storeFailure ??= error as Error;
      }
    });
  }

  /** One try on the executor, stopped at the batch's timeout or the run's cancellation. */
  private async attempt(executor: Executor, batch: Batch, dispatchTry: number): Promise<Attempt> {
    const { options } = this;
    const controller = new AbortController();
    const timeout = new BatchError(
      `batch ${batch.id} ran past its timeout of ${Math.round(options.batchTimeoutMs / 1000)} s`,
      'timeout',
    );
    const timer = setTimeout(() => controller.abort(timeout), options.batchTimeoutMs);
    const onAbort = () => controller.abort(new BatchError('run cancelled', 'cancelled'));
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const context = {
        runId: options.runId,
        dispatch: dispatchTry,
        signal: controller.signal,
        onUnit: (unit: UnitRecord) => options.onUnit?.(unit),
      };
      return { results: await executor.run(batch, context) };
    } catch (error) {
      const failure = error instanceof BatchError ? error : new BatchError((error as Error).message, 'crashed');
      return { results: failure.results, failure };
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    }
  }

  /** What a batch left unfinished: given up on, or re-queued as the next try. */
  private async settle(batch: Batch, dispatchTry: number, { results, failure }: Attempt): Promise<void> {
    const done = new Set(results.filter(({ record }) => isFinal(record.status)).map(({ record }) => record.key));
    const unfinished = batch.units.filter((unit) => !done.has(unit.key));
    if (unfinished.length === 0) return;
    // Playwright ran, finished, and never saw these: the spec changed after planning, or a line of
    // the test list matched nothing. Running them again would not help.
    if (!failure)
      return this.giveUp(
        unfinished,
        'not run: Playwright did not find this test when the batch ran (was the spec changed after planning?)',
        dispatchTry,
      );
    if (failure.kind === 'rejected') return this.giveUp(unfinished, failure.message, dispatchTry);
    const tries = dispatchTry - this.first + 1;
    if (tries > this.options.infraRetries)
      return this.giveUp(unfinished, `${failure.message} (gave up after ${tries} tries)`, dispatchTry);
    this.options.onRequeue?.(unfinished, failure, dispatchTry + 1);
    this.pending.push(
      this.runBatch({ ...batch, id: `${batch.id}.${dispatchTry + 1}`, units: unfinished }, dispatchTry + 1),
    );
  }

  private async giveUp(units: UnitRef[], reason: string, dispatchTry: number): Promise<void> {
    for (const unit of units) this.errored.set(unit.key, reason);
    await this.options.store.closeUnits(
      this.options.runId,
      units.map((unit) => unit.key),
      'errored',
      { reason, seq: closingSeq(dispatchTry) },
    );
    this.options.onErrored?.(units, reason);
  }
}

/** A close's write order: above every Playwright retry of the dispatch try it follows (seqOf). */
export const closingSeq = (lastDispatch: number) => lastDispatch * 1000 + 999;
