// A run from its start to its end, the same for `uigate run`, `--resume`, `--rerun-failed` and the
// reporter of a plain `npx playwright test`: created with every unit queued (the whole matrix from
// the first second), finished with every unit given a final status and the run's status following
// from them, and never left `running` whatever stops it.
import { closingSeq, dispatchOf } from '../core/seq.ts';
import type { RunMeta, UnitRecord, UnitRef, UnitStatus } from '../core/model.ts';
import { countStatuses, HEARTBEAT_MS, isFinal, runStatusOf } from '../core/statuses.ts';
import type { ResultStore } from './result-store.ts';
import { recordingRun } from './embedded.ts';

/** What a run is created with; status, counts and what follows from its units are filled in. */
export type RunStart = Omit<
  RunMeta,
  'status' | 'total' | 'counts' | 'projects' | 'modules' | 'startedAt' | 'finishedAt' | 'durationMs' | 'reason'
>;

export interface FinishOptions {
  /** Stopped by the user (Ctrl-C, an interrupted Playwright): open units and the run end `cancelled`. */
  cancelled?: boolean;
  /** Why, when the counts do not say it. */
  reason?: string;
  /** What an open unit is told when the run ends without it (not cancelled). */
  openReason?: string;
  /**
   * The highest dispatch try this session could have started: open units close above it, so a
   * try still under way elsewhere cannot write over the close. @default the highest one stored
   */
  lastDispatch?: number;
  /** The run stopped at its failure limit: units under way end cancelled, the rest skipped, with its reason. */
  stoppedEarly?: { reason: string; interrupted: ReadonlySet<string> };
}

/** How the units a run ends without are closed: which status, which units, and why. */
function closings(open: readonly string[], options: FinishOptions): [UnitStatus, string[], string][] {
  if (options.cancelled) return [['cancelled', [...open], 'run cancelled']];
  const stopped = options.stoppedEarly;
  if (!stopped) return [['errored', [...open], options.openReason ?? 'no result came back for this unit']];
  return [
    ['cancelled', open.filter((key) => stopped.interrupted.has(key)), `interrupted: ${stopped.reason}`],
    ['skipped', open.filter((key) => !stopped.interrupted.has(key)), `not run: ${stopped.reason}`],
  ];
}

export class RunLifecycle {
  private heartbeat: NodeJS.Timeout | undefined;

  private constructor(
    readonly store: ResultStore,
    readonly runId: string,
    readonly startedAt: Date,
  ) {}

  /**
   * Says the run's process is alive every HEARTBEAT_MS until the run ends, so a run whose process
   * was killed is shown as lost instead of running forever. A beat that cannot be written is skipped.
   */
  private beat(everyMs = HEARTBEAT_MS): this {
    this.heartbeat = setInterval(() => {
      this.store.updateRun(this.runId, { heartbeatAt: new Date().toISOString() }).catch(() => undefined);
    }, everyMs);
    this.heartbeat.unref();
    return this;
  }

  /**
   * Creates the run with its units queued. `fresh`: the caller made the id just now, so nothing
   * can have written to it and the units go in unconditional batches.
   */
  static async start(
    store: ResultStore,
    meta: RunStart,
    units: readonly UnitRef[],
    options: { fresh: boolean; startedAt?: Date },
  ): Promise<RunLifecycle> {
    const startedAt = options.startedAt ?? new Date();
    recordingRun(meta.runId);
    // The matrix's: setup and teardown projects are not browsers of it.
    const tests = units.filter((unit) => unit.role !== 'dependency');
    await store.createRun({
      ...meta,
      status: 'running',
      projects: [...new Set(tests.map((unit) => unit.project))],
      modules: [...new Set(tests.map((unit) => unit.module))].sort(),
      total: units.length,
      counts: { queued: units.length },
      startedAt: startedAt.toISOString(),
      heartbeatAt: new Date().toISOString(),
    });
    await store.queueUnits(meta.runId, units, { fresh: options.fresh });
    return new RunLifecycle(store, meta.runId, startedAt).beat();
  }

  /** Opens a finished or abandoned run again to finish it (`--resume`): its end is forgotten, the timeline says so. */
  static async reopen(
    store: ResultStore,
    run: RunMeta,
    detail: Record<string, unknown>,
    actor: string,
  ): Promise<RunLifecycle> {
    recordingRun(run.runId);
    await store.updateRun(run.runId, {
      status: 'running',
      reason: undefined,
      finishedAt: undefined,
      durationMs: undefined,
      heartbeatAt: new Date().toISOString(),
    });
    await store.addEvent({ runId: run.runId, at: new Date().toISOString(), type: 'resumed', actor, detail });
    return new RunLifecycle(store, run.runId, new Date(run.startedAt)).beat();
  }

  /** For a run that exists already, to end it (an abandoned resume, say). */
  static of(store: ResultStore, run: Pick<RunMeta, 'runId' | 'startedAt'>): RunLifecycle {
    return new RunLifecycle(store, run.runId, new Date(run.startedAt));
  }

  /** Ends the run: open units closed, status from the units (or cancelled), counts and times written. */
  async finish(options: FinishOptions = {}): Promise<{ run: RunMeta; units: UnitRecord[] }> {
    let units = await this.store.getUnits(this.runId);
    const open = units.filter((unit) => !isFinal(unit.status)).map((unit) => unit.key);
    if (open.length) {
      const stored = Math.max(0, ...units.map((unit) => dispatchOf(unit.seq)));
      const seq = closingSeq(Math.max(stored, options.lastDispatch ?? 0));
      for (const [status, keys, reason] of closings(open, options))
        if (keys.length) await this.store.closeUnits(this.runId, keys, status, { reason, seq });
      units = await this.store.getUnits(this.runId);
    }
    const status = options.cancelled ? 'cancelled' : runStatusOf(units);
    return { run: await this.close(status, options.reason ?? options.stoppedEarly?.reason, units), units };
  }

  /** Whatever stopped the run, it ends `errored` with the reason, never `running`. Never throws. */
  async abandon(error: unknown): Promise<void> {
    await this.close('errored', (error as Error)?.message ?? String(error)).catch(() => undefined);
  }

  private async close(
    status: RunMeta['status'],
    reason: string | undefined,
    known?: readonly UnitRecord[],
  ): Promise<RunMeta> {
    clearInterval(this.heartbeat);
    recordingRun(undefined);
    const units = known ?? (await this.store.getUnits(this.runId));
    const finishedAt = new Date();
    await this.store.updateRun(this.runId, {
      status,
      counts: countStatuses(units),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - this.startedAt.getTime(),
      reason,
    });
    return (await this.store.getRun(this.runId))!;
  }
}
