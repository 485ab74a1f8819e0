// The work queue an executor's slots pull from. Pure: pieces (Playwright's groups, never split)
// sized by their estimates; a batch handed out is a set of whole pieces.
//
// How much is packed up front follows how sure the estimates are: with recorded durations, one
// batch per slot packed longest-first (LPT), each browser's work shared out evenly, is already
// within a few percent of the best, and every further batch would pay its start again; the less
// is known, the more is held back in a pool of the shortest pieces, handed out as slots free up
// in chunks that shrink toward the end (guided self-scheduling), so the run's tail is short. A
// chunk is never cut below what is worth a batch's start (a Playwright process and browser here,
// an invocation on Lambda, a container on CodeBuild).
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
  /** What each batch pays before its first test (a slot's first batch, where slots are kept). */
  startMs: number;
  /**
   * What a slot's further batches pay, where a slot keeps its container between batches
   * (CodeBuild's seats: a Playwright start, not a provisioning). @default startMs
   */
  nextStartMs?: number;
  /**
   * How far apart the slots' first batches may start (CodeBuild provisions in 30–90 s): work
   * packed evenly up front ends as late as the slot that started last, and holding some back
   * evens that out. @default 0
   */
  startSpreadMs?: number;
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

/**
 * A batch must carry at least this many times its start cost of work (start ≤ half of it): fewer,
 * fuller batches when starting is dear, but never fewer slots than the work can fill — at 3 (a
 * quarter), CodeBuild's two-minute starts left a quarter of 20 containers idle on a 10,000-unit
 * suite that had work for all of them (bench/scale.ts).
 */
export const WORTH = 1;
/**
 * Packed up front, the slowest slot overruns by the expected largest of its slots' errors (see
 * `slowestOverrun`). Past this many starts' worth of overrun, holding work back pays: each further
 * batch costs one start, and the pool takes two or three per slot.
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
  /** Batches handed out and not yet done: when they started, what they were expected to take, and to start. */
  private readonly inFlight = new Map<string, { start: number; ms: number; startMs: number }>();
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
    // When the slowest slot's expected overrun is less than a few more starts, more batches
    // cannot pay for themselves.
    const overrun = slowestOverrun(sorted, this.width) + (options.startSpreadMs ?? 0);
    this.heldBack = !options.allUpFront && this.width > 1 && overrun > DYNAMIC_AFTER * this.nextStartMs ? HOLD : 0;
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
      ? total / this.width + options.startMs + DYNAMIC_AFTER * this.nextStartMs
      : longestBin + overrun + options.startMs;
  }

  /** The next batch for a slot free at `now` (ms), or undefined when nothing is left. */
  next(now = 0): Batch | undefined {
    const packed = this.packed.shift();
    const batch = packed ?? this.chunk(now);
    // A packed batch is a slot's first; a chunk goes to a slot already up.
    if (batch)
      this.inFlight.set(batch.id, {
        start: now,
        ms: batch.estimatedMs,
        startMs: packed ? this.options.startMs : this.nextStartMs,
      });
    return batch;
  }

  private get nextStartMs(): number {
    return this.options.nextStartMs ?? this.options.startMs;
  }

  /** A batch ended after `wallMs` (start included); its actual speed corrects the estimates still waiting. */
  done(batchId: string, wallMs: number): void {
    const batch = this.inFlight.get(batchId);
    if (!batch) return;
    this.inFlight.delete(batchId);
    this.measured.actual += Math.max(0, wallMs - batch.startMs);
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
      busy += Math.max(0, batch.start + batch.startMs + batch.ms * scale - now);
    const share = (busy + this.poolMs * scale) / this.width;
    const start = this.nextStartMs;
    const target =
      Math.min(
        this.options.maxBatchMs ?? Infinity,
        Math.max(TAIL_WORTH * start, Math.min(share, CHUNK * Math.sqrt(start * share))),
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

  /**
   * Into `width` bins, or a whole number of rounds of `width` when maxBatchMs asks for more: 12
   * bins on 10 slots would give two slots a second round and end the run nearly twice as late
   * (bench/scale.ts, Lambda 10) — 20 bins of half the size end it on time.
   */
  private pack(pieces: readonly SizedPiece[], total: number) {
    if (pieces.length === 0) return;
    const rounds = Math.ceil(total / this.width / (this.options.maxBatchMs ?? Infinity));
    const count = Math.min(pieces.length, this.width * Math.max(1, rounds));
    for (const bin of packBins(pieces, count).sort((a, b) => b.ms - a.ms))
      this.packed.push(this.batch(bin.units, bin.ms));
  }

  private batch(units: UnitRef[], estimatedMs: number): Batch {
    this.made++;
    const id = `${this.options.idPrefix ?? `${this.options.executor}-`}${String(this.made).padStart(3, '0')}`;
    return { id, executor: this.options.executor, estimatedMs, units: byProjectThenFile(units) };
  }
}

interface Bin {
  units: UnitRef[];
  ms: number;
}

/** By project then file, so that each Playwright worker launches each browser once. */
const byProjectThenFile = (units: UnitRef[]): UnitRef[] =>
  units.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.line - b.line);

/** Packs longest-processing-time-first: each piece, longest first, to the bin with the least so far. */
function lpt(pieces: readonly SizedPiece[], bins: Bin[]): Bin[] {
  for (const piece of [...pieces].sort((a, b) => b.ms - a.ms)) {
    let best = bins[0]!;
    for (const bin of bins) if (bin.ms < best.ms) best = bin;
    best.units.push(...piece.units);
    best.ms += piece.ms;
  }
  return bins;
}

const emptyBins = (count: number): Bin[] => Array.from({ length: count }, () => ({ units: [], ms: 0 }));

/**
 * Packs `pieces` into `count` bins by LPT, each browser's work spread evenly: a browser's speed
 * drifts as one (measured on bench/skewed-suite.ts: a run's firefox tests 10–15 % slower or faster
 * than their history, all together), so a bin holding mostly one browser carries all of its drift
 * while a mixed bin carries a share. Each project is packed into `count` parts by LPT, its largest
 * project first; its largest part joins the bin with the least so far. Kept only when its longest
 * bin is within MIX_SLACK of plain LPT's; one project (Lambda's chromium) packs exactly as LPT.
 */
export function packBins(pieces: readonly SizedPiece[], count: number): Bin[] {
  const byProject = new Map<string, SizedPiece[]>();
  for (const piece of pieces) {
    const project = piece.units[0]!.project;
    if (!byProject.has(project)) byProject.set(project, []);
    byProject.get(project)!.push(piece);
  }
  const plain = lpt(pieces, emptyBins(count));
  if (byProject.size < 2) return plain.filter((bin) => bin.units.length);
  const totalOf = (list: readonly SizedPiece[]) => list.reduce((sum, piece) => sum + piece.ms, 0);
  const mixed = emptyBins(count);
  for (const list of [...byProject.values()].sort((a, b) => totalOf(b) - totalOf(a))) {
    const parts = lpt(list, emptyBins(count)).sort((a, b) => b.ms - a.ms);
    const lightest = [...mixed].sort((a, b) => a.ms - b.ms);
    parts.forEach((part, i) => {
      lightest[i]!.units.push(...part.units);
      lightest[i]!.ms += part.ms;
    });
  }
  const longest = (bins: readonly Bin[]) => Math.max(...bins.map((bin) => bin.ms));
  return longest(mixed) <= longest(plain) * (1 + MIX_SLACK)
    ? mixed.filter((bin) => bin.units.length)
    : plain.filter((bin) => bin.units.length);
}

/** How much longer than plain LPT's a bin may be for each browser's work to be spread evenly. */
const MIX_SLACK = 0.01;

/**
 * What the slowest of `slots` slots, packed up front, is expected to run past its estimate: the
 * expected largest of `slots` independent normal errors, each with a slot's spread (the pieces'
 * errors ms·u, added in quadrature, a slot holding its share of them). The largest of two is
 * 0.56 σ, of fifty 2.25 σ: a split in two bets little on the estimates; fifty bins bet a lot.
 */
export function slowestOverrun(pieces: readonly SizedPiece[], slots: number): number {
  const variance = pieces.reduce((sum, piece) => sum + (piece.ms * piece.uncertainty) ** 2, 0) / slots;
  return expectedMaxOfNormals(slots) * Math.sqrt(variance);
}

/** E[max of n independent standard normals], by integrating n·x·φ(x)·Φ(x)^(n−1). */
export function expectedMaxOfNormals(n: number): number {
  if (n <= 1) return 0;
  const step = 0.01;
  let sum = 0;
  for (let x = -8; x <= 8; x += step) {
    const density = Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    sum += x * n * density * normalCdf(x) ** (n - 1) * step;
  }
  return sum;
}

/** Φ(x) from erf, by Abramowitz and Stegun 7.1.26 (error below 1.5·10⁻⁷). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
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

/** Makes a queue over units whose durations are known exactly (tests, benchmarks). */
export function exactQueue(units: readonly UnitRef[], durationOf: (unit: UnitRef) => number, options: QueueOptions) {
  return new WorkQueue(
    sizedPieces(units, (unit) => ({ ms: durationOf(unit), uncertainty: 0, basis: 'history' })),
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
