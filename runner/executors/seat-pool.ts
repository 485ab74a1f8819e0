// Late binding for containers that take minutes to start (CodeBuild): a batch is not tied to a
// container when the container is asked for, but when one of its seats is ready — the longest
// batch waiting goes to the first seat ready, and a seat that finishes a batch takes the next one
// without starting again. A container holds a seat for each of its Playwright workers, each
// taking batches on its own: no worker idles while another finishes its part of a shared batch.
// The run no longer ends with the container that happened to provision last, and a pool of small
// batches (no history) is pulled as seats free up, as Lambda's slots pull theirs. Pure: the fleet
// (CodeBuild and the table, or a simulation) starts containers, assigns, releases and stops
// seats, and reports what they do through `ready`, `finished`, `ended`.
import type { Batch } from '../plan/plan.ts';
import type { BatchContext } from './executor.ts';

/** What the pool asks of the containers' side. */
export interface Fleet {
  /** Starts a container holding these seats; resolves once it is asked for (not ready). */
  launch(containerId: string, seatIds: readonly string[]): Promise<void>;
  /** Gives a ready container a batch; false when it was not ready any more. */
  assign(seatId: string, batch: Batch, context: BatchContext): Promise<boolean>;
  /** Tells an idle or starting seat to exit: nothing is left for it (its container exits with its last seat). */
  release(seatId: string): Promise<void>;
  /** Stops a seat's container now (its batch was withdrawn, or the run is over): every seat in it ends. */
  stop(seatId: string): Promise<void>;
}

/** How a container ended, as the fleet saw it. */
export interface Ending {
  /** What the pool says about it: `CodeBuild <build>: FAILED in BUILD: …`. */
  message: string;
  /** The container ran past its own limit. */
  timedOut?: boolean;
}

/** Why a batch did not finish on a seat: the container ended (or could not be started) under it. */
export class SeatLost extends Error {
  override readonly name = 'SeatLost';
  constructor(
    readonly ending: Ending,
    /** The seat that held the batch; absent when the batch lost a container that never was ready. */
    readonly seatId?: string,
    /** StartBuild itself failed (throttled past retries, refused). */
    readonly launchError?: unknown,
  ) {
    super(ending.message);
  }
}

export interface SeatPoolOptions {
  /** Seats at once, however many batches wait: containers (the concurrent-build quota) × `seatsEach`. */
  capacity: number;
  /** Seats in a container: its Playwright workers. @default 1 */
  seatsEach?: number;
  /** A seat idle with no batch waiting this long is released. */
  idleMs: number;
  /** Container ids: unique within the run, across orchestrators (a resumed run). Its seats are `<id>.<n>`. */
  containerId(n: number): string;
}

interface Waiting {
  /** Order of arrival. */
  n: number;
  batch: Batch;
  context: BatchContext;
  resolve(seatId: string): void;
  reject(error: unknown): void;
}

type SeatState =
  | { state: 'starting' }
  | { state: 'idle'; timer?: NodeJS.Timeout }
  | { state: 'busy'; job: Waiting }
  | { state: 'assigning'; job: Waiting };

export class SeatPool {
  private readonly waiting: Waiting[] = [];
  private readonly seats = new Map<string, SeatState>();
  private made = 0;
  private arrived = 0;
  private closed = false;

  constructor(
    private readonly fleet: Fleet,
    private readonly options: SeatPoolOptions,
  ) {}

  /** Seats asked for and not yet ended. */
  get live(): number {
    return this.seats.size;
  }

  /** Seats by state, for the fleet's poll and for tests. */
  seatsIn(state: SeatState['state']): string[] {
    return [...this.seats].filter(([, seat]) => seat.state === state).map(([id]) => id);
  }

  /**
   * Resolves with the seat that ran the batch once its container says it finished; rejects with
   * SeatLost when the container ended under it, or with the context's abort reason.
   */
  run(batch: Batch, context: BatchContext): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const job: Waiting = { n: ++this.arrived, batch, context, resolve, reject };
      const onAbort = () => this.withdraw(job);
      if (context.signal.aborted) return reject(context.signal.reason);
      context.signal.addEventListener('abort', onAbort, { once: true });
      const settle =
        <T>(then: (value: T) => void) =>
        (value: T) => {
          context.signal.removeEventListener('abort', onAbort);
          then(value);
        };
      job.resolve = settle(resolve);
      job.reject = settle(reject);
      this.waiting.push(job);
      this.balance();
    });
  }

  /** The seat's container is ready for a batch (first come up, or back from one). */
  ready(seatId: string): void {
    const seat = this.seats.get(seatId);
    if (seat?.state !== 'starting') return;
    this.seats.set(seatId, { state: 'idle' });
    this.balance();
  }

  /**
   * The seat finished `batchId` (dispatch try `dispatchTry`) and is ready again; `crashed` says how
   * the batch failed, if it did (its Playwright process crashed: the batch fails, the seat goes on).
   */
  finished(seatId: string, batchId: string, dispatchTry: number, crashed?: string): void {
    const seat = this.seats.get(seatId);
    // `assigning` too: a quick container can be back before the assignment's write has answered.
    if (seat?.state !== 'busy' && seat?.state !== 'assigning') return;
    if (seat.job.batch.id !== batchId || seat.job.context.dispatchTry !== dispatchTry) return;
    this.seats.set(seatId, { state: 'idle' });
    if (crashed) seat.job.reject(new SeatLost({ message: crashed }, seatId));
    else seat.job.resolve(seatId);
    this.balance();
  }

  /** The seat's container ended (or is gone). Its batch, or one left without a container, fails. */
  ended(seatId: string, ending: Ending): void {
    const seat = this.seats.get(seatId);
    if (!seat) return;
    this.seats.delete(seatId);
    if (seat.state === 'idle') clearTimeout(seat.timer);
    if (seat.state === 'busy' || seat.state === 'assigning') seat.job.reject(new SeatLost(ending, seatId));
    else if (seat.state === 'starting') this.shortOfSeats(new SeatLost(ending));
    this.balance();
  }

  /** Releases every idle container and stops every starting one: the run is over. */
  async close(): Promise<void> {
    this.closed = true;
    const seats = [...this.seats];
    this.seats.clear();
    await Promise.all(
      seats.map(([id, seat]) => {
        if (seat.state === 'idle') {
          clearTimeout(seat.timer);
          return this.fleet.release(id).catch(() => {});
        }
        // A busy seat's batch has been stopped by its own abort before the run closes.
        return this.fleet.stop(id).catch(() => {});
      }),
    );
  }

  /**
   * Binds waiting batches to idle containers, longest first; asks for containers while fewer are
   * coming than batches wait (within capacity); releases containers idle with nothing to take.
   */
  private balance(): void {
    if (this.closed) return;
    this.waiting.sort((a, b) => b.batch.estimatedMs - a.batch.estimatedMs);
    for (const seatId of this.seatsIn('idle')) {
      const job = this.waiting.shift();
      if (!job) break;
      this.bind(seatId, job);
    }
    const coming = this.seatsIn('starting').length;
    const each = this.seatsEach;
    const wanted = Math.min(
      Math.ceil((this.waiting.length - coming) / each),
      Math.floor((this.options.capacity - this.seats.size) / each),
    );
    for (let i = 0; i < wanted; i++) this.launch();
    for (const seatId of this.seatsIn('idle')) {
      const seat = this.seats.get(seatId) as Extract<SeatState, { state: 'idle' }>;
      // Not at once: the slot that just got its batch back asks for the next one a moment later.
      seat.timer ??= setTimeout(() => this.releaseIdle(seatId), this.options.idleMs);
    }
  }

  private bind(seatId: string, job: Waiting): void {
    const seat = this.seats.get(seatId);
    if (seat?.state === 'idle') clearTimeout(seat.timer);
    this.seats.set(seatId, { state: 'assigning', job });
    this.fleet.assign(seatId, job.batch, job.context).then(
      (taken) => {
        const now = this.seats.get(seatId);
        if (now?.state !== 'assigning' || now.job !== job) return;
        if (taken) return void this.seats.set(seatId, { state: 'busy', job });
        // The container went away between its ready and our assignment: the batch waits again.
        this.seats.delete(seatId);
        void this.fleet.stop(seatId).catch(() => {});
        this.waiting.push(job);
        this.balance();
      },
      (error: unknown) => {
        const now = this.seats.get(seatId);
        if (now?.state !== 'assigning' || now.job !== job) return;
        this.seats.set(seatId, { state: 'idle' });
        job.reject(new SeatLost({ message: `could not assign batch ${job.batch.id}: ${describe(error)}` }, seatId));
        this.balance();
      },
    );
  }

  private get seatsEach(): number {
    return Math.max(1, this.options.seatsEach ?? 1);
  }

  private launch(): void {
    const containerId = this.options.containerId(++this.made);
    const seatIds = Array.from({ length: this.seatsEach }, (_, i) => `${containerId}.${i + 1}`);
    for (const seatId of seatIds) this.seats.set(seatId, { state: 'starting' });
    this.fleet.launch(containerId, seatIds).catch((error: unknown) => {
      const lost = new SeatLost({ message: error instanceof Error ? error.message : String(error) }, undefined, error);
      for (const seatId of seatIds) if (this.seats.delete(seatId)) this.shortOfSeats(lost);
      this.balance();
    });
  }

  /**
   * A container that was never ready is gone: if that leaves a batch without one coming, the
   * batch that has waited longest fails (and is re-queued by the dispatcher, within its retries),
   * so a project whose builds always fail ends instead of starting builds for ever.
   */
  private shortOfSeats(lost: SeatLost): void {
    const coming = this.seatsIn('starting').length + this.seatsIn('idle').length;
    if (this.waiting.length <= coming) return;
    const oldest = this.waiting.reduce((a, b) => (a.n <= b.n ? a : b));
    this.waiting.splice(this.waiting.indexOf(oldest), 1);
    oldest.reject(lost);
  }

  private releaseIdle(seatId: string): void {
    const seat = this.seats.get(seatId);
    if (seat?.state !== 'idle') return;
    if (this.waiting.length) return void (seat.timer = undefined);
    this.seats.delete(seatId);
    void this.fleet.release(seatId).catch(() => {});
    this.balance();
  }

  /** The batch's context was aborted: a waiting batch leaves the queue; a running one's container is stopped. */
  private withdraw(job: Waiting): void {
    const reason = job.context.signal.reason;
    const at = this.waiting.indexOf(job);
    if (at >= 0) {
      this.waiting.splice(at, 1);
      job.reject(reason);
      this.balance();
      return;
    }
    for (const [seatId, seat] of this.seats)
      if ((seat.state === 'busy' || seat.state === 'assigning') && seat.job === job) {
        this.seats.delete(seatId);
        job.reject(reason);
        void this.fleet.stop(seatId).catch(() => {});
        this.balance();
        return;
      }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
