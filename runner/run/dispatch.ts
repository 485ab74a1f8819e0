// Dispatch: each executor's slots (its capacity) pull batches from its queue as they free up. A
// batch that fails as a batch (crash, timeout, throttle, lost container) has its unfinished units
// re-queued, first in line, up to `infraRetries` times, then recorded as `errored`. A test failure
// is never retried here — Playwright's own `retries` does that, and marks flakiness.
import { setMaxListeners } from 'node:events';
import { BatchError, type Executor, type UnitOutcome } from '../executors/executor.ts';
import { type ExecutorName, type UnitRecord, type UnitRef } from '../core/model.ts';
import type { Batch } from '../plan/plan.ts';
import type { ResultStore } from '../store/result-store.ts';
import { isFinal } from '../core/statuses.ts';
import { InfraError } from '../core/errors.ts';
import { closingSeq } from '../core/seq.ts';

export interface DispatchEvents {
  onUnit?(record: UnitRecord): void;
  onBatchStart?(batch: Batch, dispatchTry: number): void;
  onBatchEnd?(batch: Batch, dispatchTry: number, error?: BatchError): void;
  /** Units that will be run again after their batch failed. */
  onRequeue?(units: UnitRef[], error: BatchError, dispatchTry: number): void;
  /** Units given up on. */
  onErrored?(units: UnitRef[], reason: string): void;
}

/** Where an executor's slots get their batches (plan/queue.ts's WorkQueue, or a fixed list). */
export interface BatchQueue {
  /** The next batch for a slot free at `now` (ms since dispatch began), or undefined when none is left. */
  next(now: number): Batch | undefined;
  /** A batch it handed out ended after `wallMs`. */
  done?(batchId: string, wallMs: number): void;
}

/** Batches decided up front, handed out in order (benchmarks' baselines, and tests). */
export function fixedBatches(batches: readonly Batch[]): Map<ExecutorName, BatchQueue> {
  const queues = new Map<ExecutorName, BatchQueue>();
  for (const executor of new Set(batches.map((batch) => batch.executor))) {
    const list = batches.filter((batch) => batch.executor === executor);
    queues.set(executor, { next: () => list.shift() });
  }
  return queues;
}

export interface DispatchOptions extends DispatchEvents {
  runId: string;
  queues: ReadonlyMap<ExecutorName, BatchQueue>;
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
  private readonly errored = new Map<string, string>();
  /** Re-queued batches per executor, run before anything new. */
  private readonly retries = new Map<ExecutorName, { batch: Batch; dispatchTry: number }[]>();
  private readonly inFlight = new Map<ExecutorName, number>();
  /** Wakes the slots waiting for a batch under way to end (it may re-queue units). */
  private ended = signal();
  private readonly first: number;
  private readonly startedAt = performance.now();
  private batchesRun = 0;
  /** The first store error: no batch starts after it, and the run ends as an infrastructure error. */
  private storeFailure: Error | undefined;

  constructor(private readonly options: DispatchOptions) {
    // Every batch in flight listens for cancellation: a hundred Lambda invocations is not a leak.
    const inFlight = [...options.executors.values()].reduce((sum, executor) => sum + executor.capacity, 0);
    setMaxListeners(Math.max(10, inFlight * 2 + 10), options.signal);
    this.first = options.firstDispatch ?? 1;
  }

  async run(): Promise<DispatchResult> {
    const slots = [...this.options.queues.keys()].flatMap((name) => {
      const executor = this.options.executors.get(name);
      if (!executor) throw new Error(`no executor "${name}" for its batches`);
      return Array.from({ length: executor.capacity }, () => this.slot(name, executor));
    });
    await Promise.all(slots);
    if (this.storeFailure)
      throw new InfraError(
        `the result store failed while recording results (${this.storeFailure.message}); no batch was started after it and those under way were finished. \`uigate run --resume\` runs what is left`,
      );
    return { errored: this.errored, batchesRun: this.batchesRun };
  }

  /** One slot of an executor: takes the next batch whenever it is free, until none is left. */
  private async slot(name: ExecutorName, executor: Executor): Promise<void> {
    const queue = this.options.queues.get(name)!;
    for (;;) {
      if (this.options.signal.aborted || this.storeFailure) return;
      const retry = this.retries.get(name)?.shift();
      const batch = retry?.batch ?? queue.next(performance.now() - this.startedAt);
      if (!batch) {
        // Nothing waiting; a batch still under way may yet re-queue units.
        if (!this.inFlight.get(name)) return;
        await this.ended.promise;
        continue;
      }
      this.inFlight.set(name, (this.inFlight.get(name) ?? 0) + 1);
      const started = performance.now();
      try {
        await this.runBatch(executor, batch, retry?.dispatchTry ?? this.first);
      } finally {
        queue.done?.(batch.id, performance.now() - started);
        this.inFlight.set(name, this.inFlight.get(name)! - 1);
        this.ended.resolve();
        this.ended = signal();
      }
    }
  }

  private async runBatch(executor: Executor, batch: Batch, dispatchTry: number): Promise<void> {
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
        dispatchTry,
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
    const retries = this.retries.get(batch.executor) ?? [];
    retries.push({
      batch: {
        ...batch,
        id: `${batch.id}.${dispatchTry + 1}`,
        units: unfinished,
      },
      dispatchTry: dispatchTry + 1,
    });
    this.retries.set(batch.executor, retries);
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

/** Makes a promise and its resolve (Promise.withResolvers is Node 22's). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
