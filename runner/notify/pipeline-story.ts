// The pipeline's own moments, in words: an execution started, a stage handed over to the next, the
// execution succeeded, failed or was stopped — with the commit, who or what started it, how long
// since it started and when it should be done. The watcher (runner/watch) decides which moments
// happened and in which order; this only says them. Pure.
import type { NotifiedRun } from './notification.ts';
import { clock, countsLine, duration, firstLine, rerunStep } from './words.ts';

export type PipelineKind =
  'pipeline-started' | 'stage-changed' | 'pipeline-succeeded' | 'pipeline-failed' | 'pipeline-stopped';

const PIPELINE_KINDS = new Set<string>([
  'pipeline-started',
  'stage-changed',
  'pipeline-succeeded',
  'pipeline-failed',
  'pipeline-stopped',
]);

export const isPipelineKind = (kind: string): kind is PipelineKind => PIPELINE_KINDS.has(kind);

/** One execution of a pipeline at one of its moments. */
export interface PipelineContext {
  name: string;
  executionId: string;
  /** The stages, in the pipeline's order. */
  stages: readonly string[];
  startedAt: string;
  /** When this moment happened. */
  at: string;
  /** CodePipeline's words for the execution now: InProgress, Succeeded, Failed, Stopped, Superseded, Cancelled. */
  status: string;
  /** Who or what started it: a push, a person, a schedule. */
  trigger?: string;
  /** The project: the source repository, as CodePipeline's trigger names it ("example/shop"). */
  repository?: string;
  commit?: string;
  commitMessage?: string;
  branch?: string;
  author?: string;
  /** stage-changed: the stage that just finished. */
  finished?: string;
  /** pipeline-started and stage-changed: the stage starting now. */
  starting?: string;
  /** pipeline-failed and pipeline-stopped: the stage it ended in. */
  endedIn?: string;
  /** The execution in the CodePipeline console. */
  consoleUrl?: string;
  /** pipeline-succeeded: what went live. */
  deployed?: string;
}

export interface PipelineNotification {
  kind: PipelineKind;
  pipeline: PipelineContext;
  /** The uigate run the Test stage recorded for this execution, once there is one. */
  run?: NotifiedRun;
  /** The run's page, once there is a run. */
  link?: string;
  /** Why it failed or stopped: "tests failed: …", "deployment failed: …". */
  reason?: string;
  /** When the execution should be done: recent executions' stage medians, the run's own estimate for Test. */
  expectedFinishAt?: string;
}

export function pipelineHeadline(n: PipelineNotification): string {
  const { name, finished, starting, endedIn, status } = n.pipeline;
  switch (n.kind) {
    case 'pipeline-started':
      return `pipeline ${name} started`;
    case 'stage-changed':
      return `${name}: ${finished} done, ${starting} starting`;
    case 'pipeline-succeeded':
      return `pipeline ${name} succeeded`;
    case 'pipeline-failed':
      return `pipeline ${name} failed${endedIn ? ` in ${endedIn}` : ''}${n.reason ? `: ${n.reason.split(':')[0]}` : ''}`;
    case 'pipeline-stopped':
      return `pipeline ${name} ${status.toLowerCase()}${endedIn ? ` in ${endedIn}` : ''}`;
  }
}

/** "Source ✓ · Build ✓ · Test ▶ · Approval · Production": where the execution is, at a glance. */
export function stageLine(p: PipelineContext, kind: PipelineKind): string {
  const current = kind === 'pipeline-succeeded' ? p.stages.length : p.stages.indexOf(p.endedIn ?? p.starting ?? '');
  return p.stages
    .map((stage, i) => {
      if (i < current) return `${stage} ✓`;
      if (i > current) return stage;
      if (kind === 'pipeline-failed') return `${stage} ✗`;
      if (kind === 'pipeline-stopped') return `${stage} ■`;
      return `${stage} ▶`;
    })
    .join(' · ');
}

export function pipelineFacts(n: PipelineNotification): [label: string, value: string][] {
  const p = n.pipeline;
  const ended = n.kind === 'pipeline-succeeded' || n.kind === 'pipeline-failed' || n.kind === 'pipeline-stopped';
  const elapsed = Date.parse(p.at) - Date.parse(p.startedAt);
  const rows: [string, string | undefined][] = [
    [
      'Commit',
      p.commit ? `${p.commit.slice(0, 12)}${p.commitMessage ? ` ${firstLine(p.commitMessage)}` : ''}` : undefined,
    ],
    ['Branch', p.branch],
    ['Repository', p.repository],
    ['Author', p.author],
    ['Triggered by', p.trigger],
    ['Pipeline', `${p.name} (execution ${p.executionId})`],
    ['Stages', p.stages.length ? stageLine(p, n.kind) : undefined],
    [ended ? 'Duration' : 'Since start', Number.isFinite(elapsed) ? duration(Math.max(0, elapsed)) : undefined],
    ['Expected finish', !ended && n.expectedFinishAt ? clock(n.expectedFinishAt) : undefined],
    ['Tests', n.run && n.run.status !== 'running' ? countsLine(n.run.total, n.run.counts) : undefined],
    ['Deployed', n.kind === 'pipeline-succeeded' ? p.deployed : undefined],
    ['Reason', n.reason],
  ];
  return rows.filter((row): row is [string, string] => Boolean(row[1]));
}

export function pipelineSteps(n: PipelineNotification): string[] {
  const steps: string[] = [];
  if (n.link) steps.push(`See the run: ${n.link}`);
  if (n.pipeline.consoleUrl) steps.push(`See the execution: ${n.pipeline.consoleUrl}`);
  if (n.kind === 'pipeline-failed' && n.run && n.run.status === 'failed') steps.push(rerunStep(n.run.runId));
  return steps;
}
