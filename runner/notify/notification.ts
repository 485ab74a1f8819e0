// What uigate tells people, as data: the moment (a run started or ended, an approval asked or
// given, a release promoted, verified, rolled back, a rollback failed, a promotion refused) and its
// context — commit and its message, branch, who or what triggered it, the pipeline and its
// execution, counts, durations, the expected finish, what was deployed where, and why it failed.
// `describe` turns one into a headline and labelled facts; the renderers (render-text.ts,
// render-chat.ts) lay those out for a terminal, an email and a chat channel. Pure.
import type { RunMeta, StatusCounts } from '../core/model.ts';
import { DISPLAY_ORDER } from '../core/statuses.ts';

export type NotificationKind =
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
  | 'preflight-refused';

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
  Partial<Pick<RunMeta, 'startedAt' | 'pipelineExecutionId' | 'pipelineName' | 'commitMessage' | 'author'>>;

export interface Notification {
  kind: NotificationKind;
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
}

export function countsLine(total: number, counts: StatusCounts): string {
  const parts = DISPLAY_ORDER.filter((status) => counts[status]).map((status) => `${counts[status]} ${status}`);
  return `${total} units${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export function duration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
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
};

/** One sentence saying what happened, naming the run or the release. */
export function headline(n: Notification): string {
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
  }
}

/** The context as labelled facts, in the order people read them; absent facts are left out. */
export function facts(n: Notification): [label: string, value: string][] {
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
    ['Expected finish', n.expectedFinishAt ? clock(n.expectedFinishAt) : undefined],
    ['Decision', n.kind === 'approval-decided' && n.reason ? `“${n.reason}”` : undefined],
    ['Reason', n.kind !== 'approval-decided' ? n.reason : undefined],
    ...(release?.problems ?? []).map((problem): [string, string] => ['Problem', problem]),
  ];
  return rows.filter((row): row is [string, string] => Boolean(row[1]));
}

/** The kinds whose message gives the run's counts: what was found, and what is being decided on. */
const COUNTED = new Set<NotificationKind>(['run-finished', 'run-failed', 'approval-requested']);

function releaseLine(n: Notification): string {
  const release = n.release!;
  if (n.kind === 'release-rolled-back') return `${release.releaseId} → ${release.restored ?? 'none'} (rolled back)`;
  return `${release.releaseId}${release.previous ? ` (was ${release.previous})` : ''}`;
}

const firstLine = (text: string) => {
  const line = text.split('\n')[0]!.trim();
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
};

/** A time people read: 14:05 UTC. */
const clock = (iso: string) => `${iso.slice(11, 16)} UTC`;

/** What someone can do next, as `[text, url or command]`. */
export function nextSteps(n: Notification): string[] {
  const steps: string[] = [];
  if (n.link) steps.push(`${n.kind === 'approval-requested' ? 'Review and decide' : 'See the run'}: ${n.link}`);
  if (n.kind === 'run-failed') steps.push(`Re-run what failed: npx uigate run --rerun-failed ${n.run.runId}`);
  if (n.kind === 'approval-requested')
    steps.push(`Or: npx uigate approve --run ${n.run.runId} (or reject) — not the commit's author`);
  if (n.kind === 'rollback-failed')
    steps.push(
      `Roll back by hand: npx uigate promote --release <last good run> --target ${n.release?.target ?? '<target>'}`,
    );
  if (n.kind === 'release-failed')
    steps.push('Fix forward: the next release that passes its bake becomes the one to roll back to');
  if (n.kind === 'preflight-refused') steps.push('Fix the alarms named, then run the Production step again');
  return steps;
}
