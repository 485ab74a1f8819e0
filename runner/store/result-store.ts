// The store seam: what the rest of uigate needs from wherever results live.
import type { Release, RunEvent, RunMeta, UnitRecord, UnitRef, UnitStatus } from '../core/model.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/** Who holds a production target, since when, and until when the lease lasts if never given back. */
export interface TargetLease {
  holder: string;
  since: string;
  until: number;
}

/**
 * A container that takes a run's batches one after another (a CodeBuild build, executors/seat-pool.ts).
 * The worker writes `ready`, the orchestrator `assigned` (only over `ready`) or `released`; the
 * worker goes back to `ready` after the batch it was assigned, naming it in `last`.
 */
export interface SeatRecord {
  seatId: string;
  state: 'ready' | 'assigned' | 'released';
  /** The build that holds the seat (the worker's CODEBUILD_BUILD_ID). */
  buildId?: string;
  /** With `assigned`: the batch to run. */
  batch?: { batchId: string; dispatchTry: number };
  /** With `ready`: the batch it last finished, and how Playwright crashed on it, if it did. */
  last?: { batchId: string; dispatchTry: number; crashed?: string };
}

export interface ResultStore {
  /** Creates the run; fails if a run with that id exists. */
  createRun(meta: RunMeta): Promise<void>;
  updateRun(runId: string, patch: Partial<Omit<RunMeta, 'runId'>>): Promise<void>;
  getRun(runId: string): Promise<RunMeta | undefined>;
  listRuns(options?: { limit?: number; cursor?: string }): Promise<Page<RunMeta>>;

  /**
   * Writes each unit as `queued` unless it already exists (so a result that arrives first is kept).
   * `fresh`: the run was just created by this caller and nothing can have written to it — the units
   * are written in batches, without the check.
   */
  queueUnits(runId: string, units: readonly UnitRef[], options?: { fresh?: boolean }): Promise<void>;
  /**
   * Writes a unit's state unless the stored one is newer (higher seq) or already final at the
   * same seq. Returns whether it was written.
   */
  recordUnit(unit: UnitRecord): Promise<boolean>;
  /**
   * Marks the given units, if not yet final, with a final status (cancelled, errored), at write
   * order `seq`: a caller passes one above every try it dispatched, so a try still under way (a
   * Lambda invocation, a CodeBuild build) cannot write `running` over the close.
   */
  closeUnits(
    runId: string,
    keys: readonly string[],
    status: UnitStatus,
    options: { seq: number; reason?: string },
  ): Promise<number>;
  getUnits(runId: string): Promise<UnitRecord[]>;
  /**
   * The run's units with these keys (those it has), read by key rather than the whole run: what a
   * batch of a 10,000-unit run needs when it ends, or when a container starts it.
   */
  getUnitsByKey(runId: string, keys: readonly string[]): Promise<UnitRecord[]>;
  /** A unit's results across runs, newest first. */
  unitHistory(unitKey: string, options?: { limit?: number }): Promise<UnitRecord[]>;

  /** Records which units a batch holds, for executors that run it elsewhere (a CodeBuild worker reads it). */
  putBatch(runId: string, batchId: string, dispatchTry: number, unitKeys: readonly string[]): Promise<void>;
  /** The batch's unit keys; undefined when no such batch was recorded. */
  getBatch(runId: string, batchId: string, dispatchTry: number): Promise<string[] | undefined>;

  /**
   * The worker: says its seat is ready for a batch — the first time (no `last`) unless the seat
   * exists already, later only over the assignment of `last`. False: the seat was released.
   */
  readySeat(runId: string, seatId: string, buildId: string, last?: SeatRecord['last']): Promise<boolean>;
  /** The seat as it stands now (a strongly consistent read); undefined before its worker is ready. */
  getSeat(runId: string, seatId: string): Promise<SeatRecord | undefined>;
  /** The run's seats, for the orchestrator's poll. */
  listSeats(runId: string): Promise<SeatRecord[]>;
  /** The orchestrator: gives a ready seat a batch. False: the seat was not ready (any more). */
  assignSeat(runId: string, seatId: string, batch: NonNullable<SeatRecord['batch']>): Promise<boolean>;
  /** The orchestrator: tells the seat's worker to exit, whether or not it is ready yet. */
  releaseSeat(runId: string, seatId: string): Promise<void>;

  /**
   * Appends an event. With `once`, the event is written only if no event with that key exists
   * (atomically); returns false when it already did.
   */
  addEvent(event: RunEvent, options?: { once?: string }): Promise<boolean>;
  /** A run's events, oldest first. */
  listEvents(runId: string): Promise<RunEvent[]>;

  /** Records a release on a production target, or its new status (the same target and id). */
  putRelease(release: Release): Promise<void>;
  /** A target's releases, newest first. */
  listReleases(target: string, options?: { limit?: number }): Promise<Release[]>;
  /** Every target's releases, the most recently promoted first (the Releases page). */
  recentReleases(options?: { limit?: number }): Promise<Release[]>;

  /**
   * Takes the lease on a production target for `holder` until `until` (ms since the epoch), in one
   * conditional write: unless another holder's lease has not expired by `now`. Answers the lease
   * that holds after the write: the caller's own when taken.
   */
  takeLease(target: string, lease: TargetLease, now: number): Promise<{ taken: boolean; lease: TargetLease }>;
  /** Gives the lease back, if it is still `holder`'s. */
  dropLease(target: string, holder: string): Promise<void>;

  /**
   * Exempts a run from retention for good: its run item, units and events lose their expiry, and
   * events added later get none. For a run someone decided on: the decision and its evidence stay.
   */
  keepRun(runId: string): Promise<void>;

  close(): Promise<void>;
}
