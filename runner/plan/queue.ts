// The work queue an executor's slots pull from. Pure: pieces (Playwright's groups, never split)
// sized by their estimates; a batch handed out is a set of whole pieces.
//
// How much is packed up front follows how sure the estimates are: with recorded durations, one
// batch per slot packed longest-first (LPT) is already within a few percent of the best, and
// every further batch would pay its start again; the less is known, the more is held back in a
// pool of the shortest pieces, handed out as slots free up in chunks that shrink toward the end
// (guided self-scheduling), so the run's tail is short. A chunk is never cut below what is worth
// a batch's start (a Playwright process and browser here, an invocation on Lambda, a container
// on CodeBuild).
import type { ExecutorName, UnitRef } from '../core/model.ts';
import type { Estimate } from './estimates.ts';
import { piecesOf, type Batch } from './plan.ts';

export interface SizedPiece {
  units: UnitRef[];
  /** Expected duration of the piece's units together. */
  ms: number;
  /** Expected relative error of `ms` (estimates.ts). */
  uncertainty: number;
}

export interface QueueOptions {
  executor: ExecutorName;
  /** Batches that can run at once. */
  slots: number;
  /** What each batch pays before its first test. */
  startMs: number;
  /** A batch should not be expected to run longer than this (Lambda's 15 minutes, say). */
  maxBatchMs?: number;
  /** Prefix of batch ids, unique within a run. @default `<executor>-` */
  idPrefix?: string;
  /**
   * Pack everything up front, however unsure the estimates (local processes side by side, whose
   * alternative is Playwright's own scheduling, not a pool). @default false
   */
  allUpFront?: boolean;
}

/** A batch must carry at least this many times its start cost of work (start ≤ a quarter of it). */
export const WORTH = 3;
/**
 * Packed up front, the slowest slot overruns by about 2·u·W/√k (u the estimates' relative error,
 * W a slot's work, k its pieces). Past this many starts' worth of overrun, holding work back
 * pays: each further batch costs one start, and the pool takes two or three per slot.
 */
const DYNAMIC_AFTER = 3;
/** Share of the work held back when it pays (tuned with bench/lambda.ts's scheduling bench). */
export const HOLD = 0.4;
/**
 * A pool chunk is CHUNK·√(start × share) of work, `share` being a slot's even part of what is left:
 * many small chunks when starting is cheap against the work, few large ones when it is dear.
 * (Tuned with bench/lambda.ts's scheduling bench and queue.test.ts's two-browser suite.)
 */
const CHUNK = 4;
/** Nor is a pool chunk cut below this many starts' worth of work. */
const TAIL_WORTH = 1;

export class WorkQueue {
  /** Slots worth filling: no more than the work pays for. */
  readonly width: number;
  /** Share of the work held back from the up-front packing. */
  readonly heldBack: number;
  /** When the last slot is expected to finish, starts included (ms): what this queue promises. */
  readonly expectedMs: number;
  private readonly packed: Batch[] = [];
  private readonly pool: SizedPiece[];
  private poolMs: number;
  private made = 0;
  /** Batches handed out and not yet done: when they started and what they were expected to take. */
  private readonly inFlight = new Map<string, { start: number; ms: number }>();
  /** Work measured ÷ work estimated, over batches done: how far off the estimates run here. */
  private measured = { actual: 0, estimated: 0 };

  constructor(
    pieces: readonly SizedPiece[],
    private readonly options: QueueOptions,
  ) {
    const sorted = [...pieces].sort((a, b) => b.ms - a.ms || a.units[0]!.key.localeCompare(b.units[0]!.key));
    const total = sorted.reduce((sum, piece) => sum + piece.ms, 0);
    const worth = WORTH * options.startMs;
    this.width = Math.max(1, Math.min(options.slots, sorted.length, worth ? Math.floor(total / worth) : Infinity));
    const uncertainty = total ? sorted.reduce((sum, piece) => sum + piece.ms * piece.uncertainty, 0) / total : 0;
    // Packed up front, a slot's error shrinks with the pieces it holds (√k); when the slowest
    // slot's expected overrun is less than one more start, more batches cannot pay for themselves.
    const perSlot = total / this.width;
    const overrun = (2 * uncertainty * perSlot) / Math.sqrt(sorted.length / this.width);
    this.heldBack = !options.allUpFront && this.width > 1 && overrun > DYNAMIC_AFTER * options.startMs ? HOLD : 0;
    let upFront = 0;
    let split = 0;
    while (split < sorted.length && (upFront < total * (1 - this.heldBack) || split < this.width)) {
      upFront += sorted[split]!.ms;
      split++;
    }
    this.pack(sorted.slice(0, split), upFront);
    this.pool = sorted.slice(split);
    this.poolMs = total - upFront;
    const longestBin = Math.max(0, ...this.packed.map((batch) => batch.estimatedMs));
    // Held back, the pool evens the slots out at the price of two or three more starts each.
    this.expectedMs = this.heldBack
      ? total / this.width + (1 + DYNAMIC_AFTER) * options.startMs
      : longestBin + overrun + options.startMs;
  }

  /** The next batch for a slot free at `now` (ms), or undefined when nothing is left. */
  next(now = 0): Batch | undefined {
    const batch = this.packed.shift() ?? this.chunk(now);
    if (batch) this.inFlight.set(batch.id, { start: now, ms: batch.estimatedMs });
    return batch;
  }

  /** A batch ended after `wallMs` (start included); its actual speed corrects the estimates still waiting. */
  done(batchId: string, wallMs: number): void {
    const batch = this.inFlight.get(batchId);
    if (!batch) return;
    this.inFlight.delete(batchId);
    this.measured.actual += Math.max(0, wallMs - this.options.startMs);
    this.measured.estimated += batch.ms;
  }

  /**
   * A chunk of the pool: a part of what would be each slot's share if the work left — the pool and
   * what batches under way are expected still to need — were spread evenly, so chunks shrink as
   * the run nears its end; never smaller than is worth a batch's start.
   */
  private chunk(now: number): Batch | undefined {
    if (this.pool.length === 0) return undefined;
    const scale = this.measured.estimated ? this.measured.actual / this.measured.estimated || 1 : 1;
    let busy = 0;
    for (const batch of this.inFlight.values())
      busy += Math.max(0, batch.start + this.options.startMs + batch.ms * scale - now);
    const share = (busy + this.poolMs * scale) / this.width;
    const target =
      Math.min(
        this.options.maxBatchMs ?? Infinity,
        Math.max(TAIL_WORTH * this.options.startMs, Math.min(share, CHUNK * Math.sqrt(this.options.startMs * share))),
      ) / scale;
    const chunk: SizedPiece[] = [this.pool.shift()!];
    let ms = chunk[0]!.ms;
    while (this.pool.length && ms + this.pool[0]!.ms <= target) {
      ms += this.pool[0]!.ms;
      chunk.push(this.pool.shift()!);
    }
    this.poolMs -= ms;
    return this.batch(
      chunk.flatMap((piece) => piece.units),
      ms,
    );
  }

  /** Pieces not yet handed out. */
  get waiting(): number {
    return this.packed.length + this.pool.length;
  }

  /** Longest-processing-time-first into `width` bins (more if maxBatchMs says so), longest bin first. */
  private pack(pieces: readonly SizedPiece[], total: number) {
    if (pieces.length === 0) return;
    const count = Math.min(
      pieces.length,
      Math.max(this.width, Math.ceil(total / (this.options.maxBatchMs ?? Infinity))),
    );
    const bins = Array.from({ length: count }, () => ({ units: [] as UnitRef[], ms: 0 }));
    for (const piece of pieces) {
      let best = bins[0]!;
      for (const bin of bins) if (bin.ms < best.ms) best = bin;
      best.units.push(...piece.units);
      best.ms += piece.ms;
    }
    for (const bin of bins.filter((b) => b.units.length).sort((a, b) => b.ms - a.ms))
      this.packed.push(this.batch(bin.units, bin.ms));
  }

  private batch(units: UnitRef[], estimatedMs: number): Batch {
    this.made++;
    return {
      id: `${this.options.idPrefix ?? `${this.options.executor}-`}${String(this.made).padStart(3, '0')}`,
      executor: this.options.executor,
      estimatedMs,
      // By project then file, so that each Playwright worker launches each browser once.
      units: units.sort(
        (a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.line - b.line,
      ),
    };
  }
}

/**
 * The pieces of `units` (Playwright's groups; dependency units travel with their dependents),
 * each sized by its units' estimates and as uncertain as they are, weighted by their length.
 */
export function sizedPieces(units: readonly UnitRef[], estimateOf: (unit: UnitRef) => Estimate): SizedPiece[] {
  return piecesOf(units.filter((unit) => unit.role !== 'dependency')).map((piece) => {
    const estimates = piece.map(estimateOf);
    const ms = estimates.reduce((sum, estimate) => sum + Math.max(1, estimate.ms), 0);
    const uncertainty =
      estimates.reduce((sum, estimate) => sum + Math.max(1, estimate.ms) * estimate.uncertainty, 0) / ms;
    return { units: piece, ms, uncertainty };
  });
}

/** A queue over units whose durations are known exactly (tests, benchmarks). */
export function exactQueue(units: readonly UnitRef[], durationOf: (unit: UnitRef) => number, options: QueueOptions) {
  return new WorkQueue(
    sizedPieces(units, (unit) => ({ ms: durationOf(unit), uncertainty: 0, source: 'history' })),
    options,
  );
}

/**
 * How long Playwright itself would take over the same pieces in one process with `workers`
 * workers: its groups in its own order (the order they were listed), each to the worker that
 * frees up first — one start, no split made ahead, but a long group listed last runs alone at the end.
 */
export function inOrderMs(pieces: readonly SizedPiece[], workers: number, startMs: number): number {
  const free = Array.from({ length: Math.max(1, workers) }, () => 0);
  for (const piece of pieces) {
    const first = free.indexOf(Math.min(...free));
    free[first]! += piece.ms;
  }
  return Math.max(...free) + startMs;
}
