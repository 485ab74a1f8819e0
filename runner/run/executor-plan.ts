// Where each piece runs when a run has both Lambda and CodeBuild: by time and cost (plan/
// executor-mix.ts), with the plan's expected finish and cost said before anything starts. With
// any other executors, the first that can run a piece's browsers takes it (plan/plan.ts).
import { durationMs, type ResolvedConfig } from '../config/config.ts';
import type { UnitRef } from '../core/model.ts';
import { UsageError } from '../core/errors.ts';
import type { Executor } from '../executors/executor.ts';
import { batchCosts } from '../executors/from-config.ts';
import { codeBuildExpectedCost, lambdaCost, usd } from '../plan/cost.ts';
import { planMix, type MixExecutor, type MixPlan } from '../plan/executor-mix.ts';
import { assignExecutors } from '../plan/plan.ts';
import type { SizedPiece } from '../plan/queue.ts';

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/** The executor as the mix planner sees it: its slots, start, longest batch and price. */
function mixExecutor(executor: Executor, config: ResolvedConfig): MixExecutor & { executor: Executor } {
  const { startMs, maxBatchMs } = batchCosts(executor, config);
  const lambda = executor.name === 'lambda';
  return {
    executor,
    name: executor.name,
    // A CodeBuild build's Playwright workers are slots of their own, each a share of its bill.
    slots: executor.capacity,
    workersEach: 1,
    startMs,
    ...(maxBatchMs !== undefined ? { maxPieceMs: maxBatchMs } : {}),
    supports: (browser) => executor.supports(browser),
    batchCost: (ms) =>
      lambda
        ? lambdaCost(ms, config.executors.lambda.memoryMb)
        : codeBuildExpectedCost(ms, config.executors.codebuild.computeType) / config.executors.codebuild.workers,
  };
}

/** The deadline asked for: `--deadline`, else `dispatch.deadline`. */
function deadlineOf(flag: string | undefined, config: ResolvedConfig): number | undefined {
  if (flag === undefined) return config.dispatch.deadlineMs;
  try {
    return durationMs(flag);
  } catch {
    throw new UsageError(`--deadline "${flag}" is not a duration: write e.g. --deadline 10m, 90s or 1h`);
  }
}

/** Says the plan in one line: each executor's share, the expected finish and cost, and the deadline. */
export function describeMix(plan: MixPlan<MixExecutor>): string {
  const shares = plan.shares.map(
    (share) => `${share.executor} ${share.pieces} pieces (${minutes(share.finishMs)}, ${usd(share.costUsd)})`,
  );
  const deadline = plan.deadline
    ? `; deadline ${minutes(plan.deadline.ms)} ${plan.deadline.met ? 'met' : 'NOT met: the earliest plan instead'}`
    : '';
  return `plan: ${shares.join(', ')}; expected to finish in ${minutes(plan.finishMs)} at about ${usd(plan.costUsd)} (AWS us-east-1 on-demand prices)${deadline}`;
}

/** Gives each piece an executor; with Lambda and CodeBuild both, by time and cost, and says the plan. */
export function assignPieces(
  pieces: readonly SizedPiece[],
  executors: readonly Executor[],
  context: { config: ResolvedConfig; browserOf: (project: string) => string; deadline?: string },
): { assigned: Map<Executor, UnitRef[]>; said?: string; plan?: MixPlan<MixExecutor> } {
  const names = executors.map((executor) => executor.name);
  if (!(names.includes('lambda') && names.includes('codebuild'))) {
    const units = pieces.flatMap((piece) => piece.units);
    return { assigned: assignExecutors(units, executors, context.browserOf) };
  }
  const mix = executors.map((executor) => mixExecutor(executor, context.config));
  const plan = planMix(pieces, mix, {
    browserOf: context.browserOf,
    deadlineMs: deadlineOf(context.deadline, context.config),
  });
  const assigned = new Map<Executor, UnitRef[]>(
    [...plan.assigned].map(([executor, list]) => [executor.executor, list.flatMap((piece) => piece.units)]),
  );
  return { assigned, said: describeMix(plan), plan };
}
