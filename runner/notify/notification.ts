// What uigate tells people, as data: the moment (a run started or ended, an approval asked or
// given, a release promoted, verified, rolled back, a rollback failed, a promotion refused) and its
// context — commit and its message, branch, who or what triggered it, the pipeline and its
// execution, counts, durations, the expected finish, what was deployed where, and why it failed.
// The pipeline's own moments (pipeline-story.ts) are the other half of the union: an execution
// started, a stage handed over to the next, the execution ended. `headline`, `facts` and
// `nextSteps` turn one into words; the renderers (render-text.ts, render-chat.ts) lay those out for
// a terminal, an email and a chat channel. Pure.
import { describeSinceRelease } from '../core/since-release-words.ts';
import type { RunMeta } from '../core/model.ts';
import {
  isPipelineKind,
  pipelineFacts,
  pipelineHeadline,
  pipelineSteps,
  type PipelineKind,
  type PipelineNotification,
} from './pipeline-story.ts';
import { clock, countsLine, duration, firstLine, rerunStep } from './words.ts';

export { countsLine, duration } from './words.ts';
export type { PipelineContext, PipelineKind, PipelineNotification } from './pipeline-story.ts';

/** The moments of a run and of its release. */
export type RunKind =
  | 'run-started'
  | 'run-finished'
  | 'run-failed'
  | 'approval-requested'
  | 'approval-decided'
  | 'release-promoted'
  | 'release-verified'
  | 'release-rolled-back'
  | 'rollback-failed'
  | 'release-failed'
  | 'preflight-refused'
  | 'approval-reminder';

export type NotificationKind = RunKind | PipelineKind;

/** What happened on production, for the release kinds. */
export interface ReleaseContext {
  /** The production target: `s3://bucket`, `lambda:fn:alias`, `command:name`, `local:/dir`. */
  target: string;
  releaseId: string;
  /** The release it replaced (promoted) or the one the rollback left (rolled back). */
  previous?: string;
  /** The release a rollback made live again. */
  restored?: string;
  /** The alarm that decided. */
  alarm?: string;
  /** How long the release was baked (verified) or baked until the alarm (rolled back). */
  bakeMs?: number;
  faultToRestoreMs?: number;
  /** What pre-flight found (preflight-refused). */
  problems?: string[];
}

export type NotifiedRun = Pick<
  RunMeta,
  'runId' | 'status' | 'trigger' | 'total' | 'counts' | 'commit' | 'branch' | 'durationMs'
> &
  Partial<
    Pick<RunMeta, 'startedAt' | 'pipelineExecutionId' | 'pipelineName' | 'commitMessage' | 'author' | 'sinceRelease'>
  >;

export interface RunNotification {
  kind: RunKind;
  run: NotifiedRun;
  /** The run page, when a status site URL is known. */
  link?: string;
  /** Why a run or a release failed, or what a decision said. */
  reason?: string;
  /** Who decided (approval-decided). */
  actor?: string;
  decision?: 'approved' | 'rejected';
  release?: ReleaseContext;
  /** When the run is expected to be done (run-started), from its plan. */
  expectedFinishAt?: string;
  /** When the pipeline execution should be done (run-started in a pipeline), refined by the run's plan. */
  pipelineFinishAt?: string;
  /** How long the approval has waited (approval-reminder). */
  waitedMs?: number;
}

export type Notification = RunNotification | PipelineNotification;

/** What a notification is about, for threads and filters: the pipeline execution, else the run. */
export function aboutOf(n: Notification): {
  thread: string;
  runId?: string;
  status?: string;
  branch?: string;
  commit?: string;
  pipelineName?: string;
} {
  if (isPipelineKind(n.kind)) {
    const { pipeline, run } = n as PipelineNotification;
    return {
      thread: pipeline.executionId,
      runId: run?.runId,
      status: pipeline.status,
      branch: pipeline.branch ?? run?.branch,
      commit: pipeline.commit ?? run?.commit,
      pipelineName: pipeline.name,
    };
  }
  const { run } = n as RunNotification;
  return {
    thread: run.pipelineExecutionId ?? run.runId,
    runId: run.runId,
    status: run.status,
    branch: run.branch,
    commit: run.commit,
    pipelineName: run.pipelineName,
  };
}

/** How bad it is: what a channel colours and what people scan for. */
export type Severity = 'info' | 'success' | 'warning' | 'failure';

export const SEVERITY: Record<NotificationKind, Severity> = {
  'run-started': 'info',
  'run-finished': 'success',
  'run-failed': 'failure',
  'approval-requested': 'warning',
  'approval-decided': 'info',
  'release-promoted': 'info',
  'release-verified': 'success',
  'release-rolled-back': 'failure',
  'rollback-failed': 'failure',
  'release-failed': 'failure',
  'preflight-refused': 'failure',
  'approval-reminder': 'warning',
  'pipeline-started': 'info',
  'stage-changed': 'info',
  'pipeline-succeeded': 'success',
  'pipeline-failed': 'failure',
  'pipeline-stopped': 'warning',
};

/** One sentence saying what happened, naming the run or the release. */
export function headline(notification: Notification): string {
  if (isPipelineKind(notification.kind)) return pipelineHeadline(notification as PipelineNotification);
  const n = notification as RunNotification;
  const id = n.run.runId;
  const release = n.release;
  switch (n.kind) {
    case 'run-started':
      return `run ${id} started`;
    case 'run-finished':
      return `run ${id} passed`;
    case 'run-failed':
      return `run ${id} ${n.run.status === 'failed' ? 'failed' : `ended ${n.run.status}`}`;
    case 'approval-requested':
      return `approval requested for run ${id}`;
    case 'approval-decided':
      return `run ${id} ${n.decision ?? 'decided'}${n.actor ? ` by ${n.actor}` : ''}`;
    case 'release-promoted':
      return `release ${release?.releaseId ?? id} promoted to ${release?.target ?? 'production'}`;
    case 'release-verified':
      return `release ${release?.releaseId ?? id} verified on ${release?.target ?? 'production'}`;
    case 'release-rolled-back':
      return `rolled back ${release?.target ?? 'production'} to ${release?.restored ?? 'the last good release'}`;
    case 'rollback-failed':
      return `ROLLBACK FAILED on ${release?.target ?? 'production'}: release ${release?.releaseId ?? id} may still be live`;
    case 'release-failed':
      return `release ${release?.releaseId ?? id} failed its bake on ${release?.target ?? 'production'}, and stays live: nothing verified to roll back to`;
    case 'preflight-refused':
      return `release ${release?.releaseId ?? id} not promoted: pre-flight refused`;
    case 'approval-reminder':
      return `approval for run ${id} still waiting${n.waitedMs ? ` after ${duration(n.waitedMs)}` : ''}`;
  }
}

/** The context as labelled facts, in the order people read them; absent facts are left out. */
export function facts(notification: Notification): [label: string, value: string][] {
  if (isPipelineKind(notification.kind)) return pipelineFacts(notification as PipelineNotification);
  const n = notification as RunNotification;
  const { run, release } = n;
  const rows: [string, string | undefined][] = [
    [
      'Commit',
      run.commit
        ? `${run.commit.slice(0, 12)}${run.commitMessage ? ` ${firstLine(run.commitMessage)}` : ''}`
        : undefined,
    ],
    ['Branch', run.branch],
    ['Author', run.author],
    ['Triggered by', run.trigger],
    [
      'Pipeline',
      run.pipelineName
        ? `${run.pipelineName}${run.pipelineExecutionId ? ` (execution ${run.pipelineExecutionId})` : ''}`
        : run.pipelineExecutionId
          ? `execution ${run.pipelineExecutionId}`
          : undefined,
    ],
    ['Target', release?.target],
    ['Release', release ? releaseLine(n) : undefined],
    ['Alarm', release?.alarm],
    ['Fault to restore', duration(release?.faultToRestoreMs)],
    ['Baked', duration(release?.bakeMs)],
    [
      'Tests',
      n.kind === 'run-started'
        ? `${run.total} units`
        : COUNTED.has(n.kind)
          ? countsLine(run.total, run.counts)
          : undefined,
    ],
    ['Duration', n.kind === 'run-finished' || n.kind === 'run-failed' ? duration(run.durationMs) : undefined],
    ['Waiting', n.kind === 'approval-reminder' ? duration(n.waitedMs) : undefined],
    [
      'Changes',
      (n.kind === 'approval-requested' || n.kind === 'approval-reminder') && run.sinceRelease
        ? describeSinceRelease(run.sinceRelease)
        : undefined,
    ],
    ['Expected finish', n.expectedFinishAt ? clock(n.expectedFinishAt) : undefined],
    ['Pipeline finish', n.pipelineFinishAt ? clock(n.pipelineFinishAt) : undefined],
    ['Decision', n.kind === 'approval-decided' && n.reason ? `“${n.reason}”` : undefined],
    ['Reason', n.kind !== 'approval-decided' ? n.reason : undefined],
    ...(release?.problems ?? []).map((problem): [string, string] => ['Problem', problem]),
  ];
  return rows.filter((row): row is [string, string] => Boolean(row[1]));
}

/** The kinds whose message gives the run's counts: what was found, and what is being decided on. */
const COUNTED = new Set<NotificationKind>(['run-finished', 'run-failed', 'approval-requested', 'approval-reminder']);

function releaseLine(n: RunNotification): string {
  const release = n.release!;
  if (n.kind === 'release-rolled-back') return `${release.releaseId} → ${release.restored ?? 'none'} (rolled back)`;
  return `${release.releaseId}${release.previous ? ` (was ${release.previous})` : ''}`;
}

/** What someone can do next, as `[text, url or command]`. */
export function nextSteps(notification: Notification): string[] {
  if (isPipelineKind(notification.kind)) return pipelineSteps(notification as PipelineNotification);
  const n = notification as RunNotification;
  const steps: string[] = [];
  const asking = n.kind === 'approval-requested' || n.kind === 'approval-reminder';
  if (n.link) steps.push(`${asking ? 'Review and decide' : 'See the run'}: ${n.link}`);
  if (n.kind === 'run-failed') steps.push(rerunStep(n.run.runId));
  if (asking) steps.push(`Or: npx uigate approve --run ${n.run.runId} (or reject) — not the commit's author`);
  if (n.kind === 'rollback-failed')
    steps.push(
      `Roll back by hand: npx uigate promote --release <last good run> --target ${n.release?.target ?? '<target>'}`,
    );
  if (n.kind === 'release-failed')
    steps.push('Fix forward: the next release that passes its bake becomes the one to roll back to');
  if (n.kind === 'preflight-refused') steps.push('Fix the alarms named, then run the Production step again');
  return steps;
}
