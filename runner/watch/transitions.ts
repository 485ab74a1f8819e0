// An execution's story from its events: started, each stage handing over to the next in the
// pipeline's order, ended. CodePipeline delivers its events at least once and in no particular
// order, so the story is only ever told as far as it is known without a gap: a stage's hand-over
// arriving before the one before it waits for it, and a duplicate adds nothing. Each moment has a
// fixed place (started 0, stage i's start i, the end one past the last stage), so what was told is
// one number and nothing is ever told twice or backwards. Pure.
import type { ExecutionTimes, PipelineEvent } from '../store/pipeline-log.ts';

export type EndStatus = 'Succeeded' | 'Failed' | 'Stopped' | 'Superseded' | 'Cancelled';

export type Transition =
  | { index: 0; kind: 'started'; at: string; starting: string }
  | { index: number; kind: 'stage'; at: string; finished: string; starting: string }
  | { index: number; kind: 'ended'; at: string; status: EndStatus; endedIn?: string };

const END: Record<string, EndStatus> = {
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  STOPPED: 'Stopped',
  SUPERSEDED: 'Superseded',
  CANCELED: 'Cancelled',
};

/**
 * How long no event of an execution must have arrived before a moment whose own event never came
 * is told from the others: a stage's STARTED lost for good, or a FAILED whose stage never said so
 * (then the end is told in the last stage known to have started).
 */
export const QUIET_MS = 5 * 60_000;

const earliest = (events: readonly PipelineEvent[]) =>
  events.reduce<PipelineEvent | undefined>((first, e) => (!first || e.at < first.at ? e : first), undefined);

class Execution {
  readonly byStage: PipelineEvent[][];
  readonly own: PipelineEvent[];

  constructor(
    readonly stages: readonly string[],
    events: readonly PipelineEvent[],
  ) {
    this.byStage = stages.map((stage) => events.filter((e) => e.scope === 'stage' && e.stage === stage));
    this.own = events.filter((e) => e.scope === 'execution');
  }

  stageState(i: number, state: string) {
    return earliest(this.byStage[i]?.filter((e) => e.state === state) ?? []);
  }

  /**
   * When stage i started: its STARTED. Once the events have gone quiet for the grace (a STARTED
   * lost for good), the stage before it succeeding, else the stage's first event.
   */
  startOf(i: number, patient = true): string | undefined {
    const started = this.stageState(i, 'STARTED');
    if (started || patient || !this.byStage[i]?.length) return started?.at;
    return ((i > 0 ? this.stageState(i - 1, 'SUCCEEDED') : undefined) ?? earliest(this.byStage[i]!))!.at;
  }

  /** When the execution started: CodePipeline puts its start-time on every event. */
  startedAt(patient: boolean): string | undefined {
    const own = this.own.find((e) => e.state === 'STARTED');
    if (!own && !this.stageState(0, 'STARTED') && patient) return undefined;
    const any = [...this.own, ...this.byStage.flat()];
    return any.find((e) => e.startTime)?.startTime ?? own?.at ?? this.startOf(0, patient);
  }

  /** The highest stage with any event. */
  reached(): number {
    let last = -1;
    this.byStage.forEach((events, i) => {
      if (events.length) last = i;
    });
    return last;
  }

  /** How the execution ended and in which stage, once that is known. */
  end(quiet: boolean): { status: EndStatus; at: string; stage: number } | undefined {
    const last = this.stages.length - 1;
    const failedStage = [...this.byStage.keys()].reverse().find((i) => this.stageState(i, 'FAILED'));
    const own = this.own.find((e) => END[e.state]);
    if (failedStage !== undefined)
      return { status: 'Failed', at: own?.at ?? this.stageState(failedStage, 'FAILED')!.at, stage: failedStage };
    const lastDone = this.stageState(last, 'SUCCEEDED');
    if (!own) return lastDone ? { status: 'Succeeded', at: lastDone.at, stage: last } : undefined;
    const status = END[own.state]!;
    if (status === 'Succeeded') return { status, at: own.at, stage: last };
    if (status === 'Failed' && !quiet) return undefined;
    const stopped = [...this.byStage.keys()].reverse().find((i) => this.stageState(i, 'STOPPED'));
    return { status, at: own.at, stage: stopped ?? this.reached() };
  }
}

/**
 * The moments of an execution that can be told now, in order: the longest run from the start with
 * no gap. `now` only decides whether the execution has been quiet long enough (QUIET_MS).
 */
export function transitions(stages: readonly string[], events: readonly PipelineEvent[], now: number): Transition[] {
  const execution = new Execution(stages, events);
  const quiet = events.every((e) => now - Date.parse(e.receivedAt ?? e.at) >= QUIET_MS);
  const startedAt = execution.startedAt(!quiet);
  if (!startedAt || !stages.length) return [];
  const told: Transition[] = [{ index: 0, kind: 'started', at: startedAt, starting: stages[0]! }];
  const end = execution.end(quiet);
  const through = end ? end.stage : stages.length - 1;
  for (let i = 1; i <= through; i++) {
    const at = execution.startOf(i, !quiet);
    if (!at) return told;
    told.push({ index: i, kind: 'stage', at, finished: stages[i - 1]!, starting: stages[i]! });
  }
  if (end)
    told.push({ index: stages.length, kind: 'ended', at: end.at, status: end.status, endedIn: stages[end.stage] });
  return told;
}

/** How long each stage of a succeeded execution took, for the history expected finishes come from. */
export function executionTimes(
  stages: readonly string[],
  events: readonly PipelineEvent[],
  executionId: string,
  startedAt: string,
  endedAt: string,
): ExecutionTimes {
  const execution = new Execution(stages, events);
  const stageMs: Record<string, number> = {};
  stages.forEach((stage, i) => {
    const start = execution.stageState(i, 'STARTED');
    const done = execution.stageState(i, 'SUCCEEDED');
    if (start && done) stageMs[stage] = Date.parse(done.at) - Date.parse(start.at);
  });
  return { executionId, startedAt, endedAt, durationMs: Date.parse(endedAt) - Date.parse(startedAt), stageMs };
}
