// Which executor takes each piece when more than one could: by time and cost, not only by browser.
// Pure. A piece goes where it can run at all — its browsers, and under an executor's longest batch
// (Lambda's 15-minute limit). Where two could take it, the split between them that finishes the
// run earliest: Lambda fills up to its concurrency (it starts in seconds, costs per millisecond),
// and what would make it finish later than CodeBuild could is spilled there (its containers take
// a minute or two to start, billed, then run several Playwright workers each). With a deadline,
// the cheapest split that still meets it.
//
// The expected finish of an executor is its start plus the larger of its longest piece and its
// work spread over its workers: the bound a good packing (queue.ts) gets within a few percent of.
import { UsageError } from '../core/errors.ts';
import type { ExecutorName, UnitRef } from '../core/model.ts';
import type { SizedPiece } from './queue.ts';

export interface MixExecutor {
  name: ExecutorName;
  /** Batches at once: Lambda's concurrency, CodeBuild's containers. */
  slots: number;
  /** Playwright workers in one batch (a CodeBuild container runs several). */
  workersEach: number;
  /** What a batch pays before its first test: an invocation and Chromium; provisioning and install. */
  startMs: number;
  /** The longest piece it may be given: Lambda's 15-minute limit, less a margin. */
  maxPieceMs?: number;
  supports(browser: string): boolean;
  /** Dollars for one batch that runs `ms`, its start included (cost.ts). */
  batchCost(ms: number): number;
}

export interface MixShare {
  executor: ExecutorName;
  pieces: number;
  /** The pieces' expected work, summed. */
  workMs: number;
  /** Expected end, from the start of dispatch. */
  finishMs: number;
  costUsd: number;
}

export interface MixPlan<E extends MixExecutor> {
  assigned: Map<E, SizedPiece[]>;
  /** When the run is expected to be done: the last executor's finish. */
  finishMs: number;
  costUsd: number;
  shares: MixShare[];
  /** Asked for a deadline: whether the plan is expected to meet it. */
  deadline?: { ms: number; met: boolean };
}

/** What an executor is given, summed: enough to time and price it. */
interface Load {
  workMs: number;
  longestMs: number;
  count: number;
}

const EMPTY: Load = { workMs: 0, longestMs: 0, count: 0 };

/** Batches at once: as many as there are slots, or as the pieces fill (each keeps its workers busy). */
const batchesFor = (executor: MixExecutor, load: Load): number =>
  Math.min(executor.slots, Math.ceil(load.count / executor.workersEach));

const finishOf = (executor: MixExecutor, load: Load): number =>
  load.count === 0
    ? 0
    : executor.startMs + Math.max(load.longestMs, load.workMs / (batchesFor(executor, load) * executor.workersEach));

/** Each batch its start and an even share of the work. */
function costOf(executor: MixExecutor, load: Load): number {
  const batches = batchesFor(executor, load);
  if (batches === 0) return 0;
  return batches * executor.batchCost(executor.startMs + load.workMs / (batches * executor.workersEach));
}

const withPiece = (load: Load, piece: SizedPiece): Load => ({
  workMs: load.workMs + piece.ms,
  longestMs: Math.max(load.longestMs, piece.ms),
  count: load.count + 1,
});

/** The executors that can take a piece: its browsers, and no longer than their longest batch. */
function candidatesFor<E extends MixExecutor>(
  piece: SizedPiece,
  executors: readonly E[],
  browserOf: (project: string) => string,
): E[] {
  const browsers = [...new Set(piece.units.map((unit: UnitRef) => browserOf(unit.project)))];
  const able = executors.filter((executor) => browsers.every((browser) => executor.supports(browser)));
  const fits = able.filter((executor) => executor.maxPieceMs === undefined || piece.ms <= executor.maxPieceMs);
  if (fits.length) return fits;
  const projects = [...new Set(piece.units.map((unit) => unit.project))].join(', ');
  if (able.length)
    throw new UsageError(
      `a group of ${projects} is expected to take ${Math.round(piece.ms / 60_000)} min, past what ${able.map((e) => e.name).join(', ')} may run at once: add --executor codebuild or --executor local`,
    );
  throw new UsageError(
    `project ${projects} cannot run on ${executors.map((e) => e.name).join(', ')}; add --executor local, or pick other projects with --project`,
  );
}

/**
 * Plans which executor takes each piece; `deadlineMs` asks for the cheapest plan that meets it.
 * A piece only one executor can take goes there. The rest are shared between the first two that
 * can take them, in the order asked for: each split — the longest k to the second, the rest to
 * the first, for every k — is priced and timed, and the earliest finish wins (the cheapest that
 * meets the deadline, when there is one; the earliest if none does).
 */
export function planMix<E extends MixExecutor>(
  pieces: readonly SizedPiece[],
  executors: readonly E[],
  options: { browserOf?: (project: string) => string; deadlineMs?: number } = {},
): MixPlan<E> {
  const browserOf = options.browserOf ?? ((project: string) => project);
  const loads = new Map<E, Load>(executors.map((executor) => [executor, EMPTY]));
  const assigned = new Map<E, SizedPiece[]>(executors.map((executor) => [executor, []]));
  const shared = new Map<string, { first: E; second: E; pieces: SizedPiece[] }>();
  for (const piece of [...pieces].sort((a, b) => b.ms - a.ms)) {
    const [first, second] = candidatesFor(piece, executors, browserOf);
    if (!second) {
      loads.set(first!, withPiece(loads.get(first!)!, piece));
      assigned.get(first!)!.push(piece);
    } else {
      const key = `${first!.name}|${second.name}`;
      const group = shared.get(key) ?? { first: first!, second, pieces: [] };
      group.pieces.push(piece);
      shared.set(key, group);
    }
  }
  for (const group of shared.values()) {
    const k = split(group, loads, executors, options.deadlineMs);
    assigned.get(group.second)!.push(...group.pieces.slice(0, k));
    assigned.get(group.first)!.push(...group.pieces.slice(k));
  }
  return summary(loads, assigned, options.deadlineMs);
}

/** Sets the two executors' loads at the split that suits best; returns how many (the longest) go to the second. */
function split<E extends MixExecutor>(
  group: { first: E; second: E; pieces: SizedPiece[] },
  loads: Map<E, Load>,
  executors: readonly E[],
  deadlineMs: number | undefined,
): number {
  const { first, second, pieces } = group;
  const base = { first: loads.get(first)!, second: loads.get(second)! };
  // The longest k to the second executor: its loads for every k, built up one piece at a time.
  const toSecond: Load[] = [base.second];
  for (const piece of pieces) toSecond.push(withPiece(toSecond.at(-1)!, piece));
  const toFirst: Load[] = [base.first];
  for (const piece of [...pieces].reverse()) toFirst.push(withPiece(toFirst.at(-1)!, piece));
  const others = executors.filter((e) => e !== first && e !== second);
  const othersFinish = Math.max(0, ...others.map((e) => finishOf(e, loads.get(e)!)));
  let best: { k: number; finish: number; cost: number } | undefined;
  for (let k = 0; k <= pieces.length; k++) {
    const a = toFirst[pieces.length - k]!;
    const b = toSecond[k]!;
    const finish = Math.max(othersFinish, finishOf(first, a), finishOf(second, b));
    const cost = costOf(first, a) + costOf(second, b);
    if (!best || better({ finish, cost }, best, deadlineMs)) best = { k, finish, cost };
  }
  loads.set(first, toFirst[pieces.length - best!.k]!);
  loads.set(second, toSecond[best!.k]!);
  return best!.k;
}

/** Whether a split beats the best so far: in time and cheaper with a deadline, else sooner (then cheaper). */
function better(
  candidate: { finish: number; cost: number },
  best: { finish: number; cost: number },
  deadlineMs: number | undefined,
): boolean {
  if (deadlineMs !== undefined) {
    const [inTime, bestInTime] = [candidate.finish <= deadlineMs, best.finish <= deadlineMs];
    if (inTime !== bestInTime) return inTime;
    if (inTime) return candidate.cost < best.cost || (candidate.cost === best.cost && candidate.finish < best.finish);
  }
  return candidate.finish < best.finish || (candidate.finish === best.finish && candidate.cost < best.cost);
}

function summary<E extends MixExecutor>(
  loads: Map<E, Load>,
  assigned: Map<E, SizedPiece[]>,
  deadlineMs: number | undefined,
): MixPlan<E> {
  const shares: MixShare[] = [...loads]
    .filter(([, load]) => load.count > 0)
    .map(([executor, load]) => ({
      executor: executor.name,
      pieces: load.count,
      workMs: load.workMs,
      finishMs: finishOf(executor, load),
      costUsd: costOf(executor, load),
    }));
  const finishMs = Math.max(0, ...shares.map((share) => share.finishMs));
  return {
    assigned: new Map([...assigned].filter(([, list]) => list.length > 0)),
    finishMs,
    costUsd: shares.reduce((sum, share) => sum + share.costUsd, 0),
    shares,
    ...(deadlineMs !== undefined ? { deadline: { ms: deadlineMs, met: finishMs <= deadlineMs } } : {}),
  };
}
