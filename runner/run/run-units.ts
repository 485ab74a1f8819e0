// Runs a run's units: the executors asked for, Playwright's groups planned into batches for each,
// dispatched, and what the status site shows of the run kept current while it goes. What
// happens is told through `events`; the terminal is the caller's business.
import type { ExecutorName, UnitRecord, UnitRef } from '../core/model.ts';
import { artifactStoreOf } from '../artifacts/from-env.ts';
import type { BatchError, Executor } from '../executors/executor.ts';
import { batchCosts, createExecutors, START_MS } from '../executors/from-config.ts';
import type { LocalParallelism } from '../executors/local-parallelism.ts';
import { describeShipped, shipSuite } from '../executors/ship-suite.ts';
import { recentDurations, type Durations } from '../plan/history.ts';
import { estimateUnits, type Estimate } from '../plan/estimates.ts';
import { inOrderMs, sizedPieces, WorkQueue } from '../plan/queue.ts';
import { dispatch, type BatchQueue, type DispatchResult } from './dispatch.ts';
import type { RunContext } from './context.ts';
import { FailureLimit, type StoppedEarly } from './failure-limit.ts';
import { publishRun } from './run-publisher.ts';
import { assignPieces } from './executor-plan.ts';
import { suiteEntries } from './prepare.ts';

export interface RunUnitsEvents {
  /** A line on the plan, or on what was shipped where. */
  say(line: string): void;
  unit(record: UnitRecord): void;
  /** A batch re-queued or given up on. */
  note(line: string): void;
}

/** What one dispatch of a run takes on top of the run's context. */
export interface RunUnitsWork {
  units: readonly UnitRef[];
  /** The dispatch try to start from: above every earlier one when resuming. */
  firstDispatch?: number;
  /** Earlier runs' durations, when the caller read them already (else read here). */
  history?: Promise<Durations>;
  events: RunUnitsEvents;
}

/** How a dispatch of the run's units went. */
export interface RunUnitsResult extends DispatchResult {
  /** The run reached `--max-failures` and stopped. */
  stoppedEarly?: StoppedEarly;
}

/**
 * Dispatches the units to the run's executors and resolves once every one has a final status, is
 * given up on, or the run stopped at its failure limit.
 */
export async function runUnits(context: RunContext, work: RunUnitsWork): Promise<RunUnitsResult> {
  const { config } = context.prepared;
  const estimates = estimateUnits(
    work.units,
    await (work.history ?? recentDurations(context.store)),
    config.dispatch.defaultUnitSeconds * 1000,
  );
  const executors = await executorsFor(context, localFor(context, work, estimates), work.events);
  const queues = queuesFor(context, work, executors, estimates);
  const artifacts = artifactStoreOf(config.artifacts);
  const counts = await publishRun(context.store, context.runId, artifacts);
  const limit = new FailureLimit(context.flags.maxFailures, context.signal);
  try {
    const result = await dispatch({
      runId: context.runId,
      queues,
      executors: new Map(executors.map((executor) => [executor.name, executor])),
      store: context.store,
      infraRetries: config.dispatch.infraRetries,
      batchTimeoutMs: config.dispatch.batchTimeoutSeconds * 1000,
      signal: limit.signal,
      firstDispatch: work.firstDispatch,
      onUnit: (record) => {
        limit.seen(record);
        counts.seen(record);
        work.events.unit(record);
      },
      onRequeue: (requeued, error: BatchError, next) =>
        work.events.note(`! ${error.message} — re-queuing ${requeued.length} unfinished unit(s), try ${next}`),
      onErrored: (failed, reason) => work.events.note(`! ${failed.length} unit(s) errored: ${reason}`),
    });
    return { ...result, stoppedEarly: limit.stoppedEarly() };
  } finally {
    counts.stop();
    artifacts?.close?.();
    for (const executor of executors) await executor.close?.();
  }
}

async function executorsFor(context: RunContext, local: LocalParallelism, events: RunUnitsEvents): Promise<Executor[]> {
  const { config, executors: names, listing, commit } = context.prepared;
  const lambdaSource = names.includes('lambda')
    ? await shipSuite({ cwd: context.cwd, entries: suiteEntries(listing), workDir: context.workDir, config })
    : undefined;
  if (lambdaSource) events.say(`  ${describeShipped(lambdaSource)}`);
  return createExecutors(names, {
    cwd: context.cwd,
    config,
    flags: context.flags,
    storeAccess: context.storeAccess,
    workDir: context.workDir,
    local,
    results: context.store,
    sourceVersion: commit.commit,
    warm: context.warm,
    lambdaSource: lambdaSource && { source: lambdaSource.source, config: lambdaSource.config },
  });
}

/**
 * Side by side, N Playwright processes split the suite by uigate's estimates: longest first, which
 * beats Playwright's file order when they are good. When they are not (a first run, many new
 * tests), one Playwright process with N workers, whose workers take Playwright's groups as they
 * free up, balances better than any split made ahead — and starts once.
 */
function localFor(context: RunContext, work: RunUnitsWork, estimates: ReadonlyMap<string, Estimate>): LocalParallelism {
  const { local, executors: names } = context.prepared;
  if (local.processes === 1 || !names.includes('local')) return local;
  // Pieces in Playwright's own order (the listing's): what one process with N workers would do.
  const pieces = sizedPieces(work.units, (unit) => estimates.get(unit.key)!);
  const split = new WorkQueue(pieces, {
    executor: 'local',
    slots: local.processes,
    startMs: START_MS.local,
    allUpFront: true,
  });
  const together = inOrderMs(pieces, local.processes, START_MS.local);
  if (split.width === local.processes && split.expectedMs < together) return local;
  const unknown = work.units.filter((unit) => estimates.get(unit.key)?.basis !== 'history').length;
  const why = unknown
    ? `${unknown} of ${work.units.length} units have no recorded duration yet`
    : `the recorded durations do not promise a split that beats Playwright's own order (${(split.expectedMs / 1000).toFixed(0)} s against ${(together / 1000).toFixed(0)} s)`;
  work.events.say(
    `  one Playwright process with ${local.processes} workers, not ${local.processes} side by side: ${why}, so Playwright's workers take its groups as they free up`,
  );
  return { processes: 1, workersEach: local.processes * local.workersEach };
}

/** Makes one queue per executor over the pieces it can run, sized by the estimates. */
function queuesFor(
  context: RunContext,
  work: RunUnitsWork,
  executors: readonly Executor[],
  estimates: ReadonlyMap<string, Estimate>,
): Map<ExecutorName, BatchQueue> {
  const queues = new Map<ExecutorName, BatchQueue>();
  const where: string[] = [];
  const { assigned: byExecutor, said } = assignPieces(
    sizedPieces(work.units, (unit) => estimates.get(unit.key)!),
    executors,
    { config: context.prepared.config, browserOf: context.prepared.browserOf, deadline: context.flags.deadline },
  );
  if (said) work.events.say(`  ${said}`);
  for (const [executor, assigned] of byExecutor) {
    const pieces = sizedPieces(assigned, (unit) => estimates.get(unit.key)!);
    const queue = new WorkQueue(pieces, {
      executor: executor.name,
      slots: executor.capacity,
      ...batchCosts(executor, context.prepared.config),
      // Local processes side by side were chosen because a split made ahead wins (localFor).
      allUpFront: executor.name === 'local',
    });
    queues.set(executor.name, queue);
    const held = queue.heldBack
      ? `, ${Math.round(queue.heldBack * 100)} % held back for the slots that free up first`
      : '';
    // A CodeBuild slot is one Playwright worker of a build.
    const workers = executor.name === 'codebuild' ? context.prepared.config.executors.codebuild.workers : 1;
    const seats = workers > 1 ? ` (up to ${Math.ceil(queue.width / workers)} builds × ${workers} workers)` : '';
    where.push(
      `${pieces.length} piece${pieces.length === 1 ? '' : 's'} on ${executor.name} ×${queue.width}${seats}${held}`,
    );
  }
  const perProject = new Map<string, number>();
  for (const unit of work.units) perProject.set(unit.project, (perProject.get(unit.project) ?? 0) + 1);
  const projects = [...perProject].map(([project, n]) => `${project} ${n}`).join(', ');
  const modules = new Set(work.units.map((unit) => unit.module)).size;
  work.events.say(`  ${work.units.length} units (${projects}) in ${modules} modules, ${where.join(', ')}`);
  return queues;
}
