// The pipeline watcher: each CodePipeline event is kept once, then the execution's story is told
// as far as it is known (transitions.ts), by one invocation at a time (a lease in the table),
// each moment marked told only after its message is out — so a message is never lost, never told
// backwards, and repeated only if the function dies between the two. Used by the watcher function
// in AWS (watch-function.ts) and by `uigate pipeline --local`, which feeds it the events its own
// stages make, so the terminal shows exactly what the channel will get.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunMeta } from '../core/model.ts';
import { expectedFinish } from '../notify/expected-finish.ts';
import type { PipelineContext, PipelineNotification } from '../notify/notification.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { ExecutionTimes, PipelineEvent, PipelineLog } from '../store/pipeline-log.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { ExecutionFacts, SourceFacts } from './execution-facts.ts';
import { FINISH_HISTORY, pipelineFinish } from './pipeline-finish.ts';
import { readPipelineEvent, triggerWords } from './pipeline-event.ts';
import { failureWords, stoppedWords } from './failure-words.ts';
import { executionTimes, QUIET_MS, transitions, type Transition } from './transitions.ts';

export interface WatchSettings {
  pipeline: string;
  /** The stages, in the pipeline's order. */
  stages: string[];
  /** The stages with a role, for the words of a failure: "tests failed", "deployment failed". */
  testStage?: string;
  deployStage?: string;
  approvalStage?: string;
  /** Where the console is, for the execution's link; absent locally. */
  region?: string;
  /** The status site, for the run's link. */
  statusUrl?: string;
}

export interface WatchDeps {
  log: PipelineLog;
  store: ResultStore;
  facts: ExecutionFacts;
  notifier: Notifier;
  settings: WatchSettings;
  now?: () => number;
  /** Who holds the lease: the invocation. */
  holder: string;
  /** How long to wait for another invocation's lease before giving up (and being retried). */
  leaseWaitMs?: number;
  warn?: (line: string) => void;
}

/** A lease outlives the watcher function's timeout, so a dead holder's runs out before its retry. */
const LEASE_MS = 60_000;
const DEFAULT_LEASE_WAIT_MS = 20_000;

export type WatchOutcome = { ignored: string } | { told: PipelineNotification[] };

/** Keeps one EventBridge event and tells whatever it makes known. */
export async function watchEvent(raw: unknown, deps: WatchDeps): Promise<WatchOutcome> {
  const event = readPipelineEvent(raw);
  if (typeof event === 'string') return { ignored: event };
  if (event.pipeline !== deps.settings.pipeline)
    return { ignored: `an event of pipeline ${event.pipeline}, not ${deps.settings.pipeline}` };
  const receivedAt = new Date((deps.now ?? Date.now)()).toISOString();
  if (await deps.log.record({ ...event, receivedAt }))
    await deps.log.opened(event.pipeline, event.executionId, receivedAt);
  return { told: await tellExecution(event.executionId, deps) };
}

/**
 * Tells what the quiet rule lets be told of executions nothing has been heard from for a while: a
 * stage whose STARTED never came, a FAILED whose stage never said so (transitions.ts, QUIET_MS).
 * On the watcher's schedule, so a lost event never silences the rest of an execution.
 */
export async function sweepQuiet(deps: WatchDeps): Promise<PipelineNotification[]> {
  const now = (deps.now ?? Date.now)();
  const told: PipelineNotification[] = [];
  for (const { executionId, heardAt } of await deps.log.open(deps.settings.pipeline))
    if (now - Date.parse(heardAt) >= QUIET_MS) told.push(...(await tellExecution(executionId, deps)));
  return told;
}

/** Tells the moments of one execution not told yet, in order, under the execution's lease. */
export async function tellExecution(executionId: string, deps: WatchDeps): Promise<PipelineNotification[]> {
  const told: PipelineNotification[] = [];
  // Again after letting go: an invocation that gave up waiting for our lease left its event to us.
  for (let round = 0; round < 3; round++) {
    const before = told.length;
    const through = await takeLease(executionId, deps);
    try {
      told.push(...(await tellFrom(executionId, through, deps)));
    } finally {
      await deps.log.release(deps.settings.pipeline, executionId, deps.holder);
    }
    if (told.length === before) break;
  }
  return told;
}

async function takeLease(executionId: string, deps: WatchDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  const deadline = Date.now() + (deps.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS);
  for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
    const through = await deps.log.lease(deps.settings.pipeline, executionId, deps.holder, now() + LEASE_MS, now());
    if (through !== undefined) return through;
    if (Date.now() > deadline)
      throw new Error(`execution ${executionId} is being told by another invocation; retrying later`);
    await sleep(wait);
  }
}

async function tellFrom(executionId: string, through: number, deps: WatchDeps): Promise<PipelineNotification[]> {
  const { log, settings } = deps;
  const events = await log.events(settings.pipeline, executionId);
  const story = transitions(settings.stages, events, (deps.now ?? Date.now)());
  const moments = story.filter((t) => t.index > through);
  const told: PipelineNotification[] = [];
  if (moments.length) {
    const known = await Story.read(executionId, events, deps);
    for (const moment of moments) {
      const notification = await known.notification(moment);
      await deps.notifier.notify(notification);
      await log.told(settings.pipeline, executionId, deps.holder, moment.index);
      told.push(notification);
    }
  }
  const end = story.at(-1);
  if (end?.kind === 'ended') await log.closed(settings.pipeline, executionId);
  if (end?.kind === 'ended' && end.status === 'Succeeded')
    await keepTimes(executionId, events, story[0]!.at, end.at, deps);
  return told;
}

/**
 * A succeeded execution's stage times join the history once every stage's start and end are in:
 * its end can be told before the last of its events arrive. Written again by a later event, the
 * same item.
 */
async function keepTimes(
  executionId: string,
  events: readonly PipelineEvent[],
  startedAt: string,
  endedAt: string,
  deps: WatchDeps,
): Promise<void> {
  const { stages, pipeline } = deps.settings;
  const times = executionTimes(stages, events, executionId, startedAt, endedAt);
  if (Object.keys(times.stageMs).length === stages.length)
    await deps.log.finished(pipeline, { ...times, stages, testStage: deps.settings.testStage });
}

/** What one round of telling knows of the execution: its events, its commit, its run, the history. */
class Story {
  private constructor(
    private readonly executionId: string,
    private readonly events: readonly PipelineEvent[],
    private readonly deps: WatchDeps,
    private readonly source: SourceFacts,
    private readonly run: RunMeta | undefined,
    private readonly history: ExecutionTimes[],
  ) {}

  static async read(executionId: string, events: readonly PipelineEvent[], deps: WatchDeps): Promise<Story> {
    const [source, run, history] = await Promise.all([
      sourceOf(executionId, events, deps),
      runOf(deps.store, executionId),
      deps.log.history(deps.settings.pipeline, FINISH_HISTORY),
    ]);
    return new Story(executionId, events, deps, source, run, history);
  }

  async notification(moment: Transition): Promise<PipelineNotification> {
    const context = this.context(moment);
    const run = this.run;
    const base = {
      pipeline: context,
      ...(run
        ? { run, ...(this.deps.settings.statusUrl ? { link: runLink(this.deps.settings.statusUrl, run.runId) } : {}) }
        : {}),
    };
    if (moment.kind === 'started')
      return { ...base, kind: 'pipeline-started', expectedFinishAt: await this.finish(0, moment.at, moment.at) };
    if (moment.kind === 'stage')
      return {
        ...base,
        kind: 'stage-changed',
        expectedFinishAt: await this.finish(moment.index, moment.at, moment.at),
      };
    if (moment.status === 'Succeeded')
      return {
        ...base,
        kind: 'pipeline-succeeded',
        pipeline: { ...context, ...(run ? { deployed: deployedWords(run) } : {}) },
      };
    if (moment.status === 'Failed')
      return {
        ...base,
        kind: 'pipeline-failed',
        reason: await failureWords(moment.endedIn, { ...this.deps, executionId: this.executionId, run }),
      };
    return { ...base, kind: 'pipeline-stopped', reason: stoppedWords(moment.status, this.events) };
  }

  private context(moment: Transition): PipelineContext {
    const { settings } = this.deps;
    const started = transitions(settings.stages, this.events, Number.MAX_SAFE_INTEGER)[0];
    return {
      name: settings.pipeline,
      executionId: this.executionId,
      stages: settings.stages,
      startedAt: started?.at ?? moment.at,
      at: moment.at,
      status: moment.kind === 'ended' ? moment.status : 'InProgress',
      ...this.source,
      ...(moment.kind === 'stage' ? { finished: moment.finished, starting: moment.starting } : {}),
      ...(moment.kind === 'started' ? { starting: moment.starting } : {}),
      ...(moment.kind === 'ended' && moment.status !== 'Succeeded' ? { endedIn: moment.endedIn } : {}),
      ...(settings.region ? { consoleUrl: consoleUrl(settings.region, settings.pipeline, this.executionId) } : {}),
    };
  }

  private async finish(current: number, since: string, at: string): Promise<string | undefined> {
    const { settings, store } = this.deps;
    const testing = settings.stages[current] === settings.testStage && this.run;
    const runFinishAt = testing ? expectedFinish(this.run!, (await store.listRuns({ limit: 50 })).items) : undefined;
    return pipelineFinish({
      stages: settings.stages,
      history: this.history,
      current,
      currentSince: since,
      at,
      testStage: settings.testStage,
      runFinishAt,
    });
  }
}

/** The commit and trigger: the event's own (triggers on Git pushes carry the commit), else CodePipeline's. */
async function sourceOf(executionId: string, events: readonly PipelineEvent[], deps: WatchDeps): Promise<SourceFacts> {
  const trigger = events.find((e) => e.scope === 'execution' && e.trigger)?.trigger;
  const asked = await deps.facts.source(executionId).catch((error: Error) => {
    deps.warn?.(`the commit of execution ${executionId} is unknown: ${error.message}`);
    return {} as SourceFacts;
  });
  return {
    ...asked,
    ...(trigger?.['commit-id'] ? { commit: trigger['commit-id'] } : {}),
    ...(trigger?.['commit-message'] ? { commitMessage: trigger['commit-message'] } : {}),
    ...(trigger?.['branch-name'] ? { branch: trigger['branch-name'] } : {}),
    ...(trigger?.['author-display-name'] ? { author: trigger['author-display-name'] } : {}),
    ...(trigger?.['full-repository-name'] ? { repository: trigger['full-repository-name'] } : {}),
    ...(triggerWords(trigger) ? { trigger: triggerWords(trigger) } : {}),
  };
}

/** The uigate run the Test stage recorded for the execution (UIGATE_PIPELINE_EXECUTION_ID). */
async function runOf(store: ResultStore, executionId: string): Promise<RunMeta | undefined> {
  const { items } = await store.listRuns({ limit: 100 });
  return items.find((run) => run.pipelineExecutionId === executionId);
}

const runLink = (statusUrl: string, runId: string) => `${statusUrl.replace(/\/$/, '')}/runs/${runId}`;

const deployedWords = (run: RunMeta) =>
  `release ${run.runId}${run.commit ? ` (commit ${run.commit.slice(0, 12)})` : ''}`;

/** The execution in the CodePipeline console (its URL scheme, as the console links it). */
export const consoleUrl = (region: string, pipeline: string, executionId: string) =>
  `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/executions/${executionId}/timeline?region=${region}`;
