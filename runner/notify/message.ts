// What uigate tells people, and how it reads: one subject line and a short text with commit, branch,
// counts, duration, the link to the run page and, where there is one, the reason. Pure.
import type { RunMeta, StatusCounts } from '../core/model.ts';
import { DISPLAY_ORDER } from '../core/statuses.ts';

export type NotificationKind =
  'run-started' | 'run-finished' | 'run-failed' | 'approval-requested' | 'approval-decided';

export interface Notification {
  kind: NotificationKind;
  run: Pick<RunMeta, 'runId' | 'commit' | 'branch' | 'trigger' | 'total' | 'counts' | 'durationMs' | 'status'>;
  /** The run page, when a status site URL is known. */
  link?: string;
  /** Why a run failed, or what a decision said. */
  reason?: string;
  /** Who decided (approval-decided). */
  actor?: string;
  decision?: 'approved' | 'rejected';
}

export function countsLine(total: number, counts: StatusCounts): string {
  const parts = DISPLAY_ORDER.filter((status) => counts[status]).map((status) => `${counts[status]} ${status}`);
  return `${total} units${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function duration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

function headline(n: Notification): string {
  const id = n.run.runId;
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
  }
}

export function formatNotification(n: Notification): { subject: string; text: string } {
  const lines = [
    headline(n),
    `commit ${n.run.commit?.slice(0, 12) ?? 'unknown'}${n.run.branch ? ` on ${n.run.branch}` : ''}, triggered by ${n.run.trigger}`,
    countsLine(n.run.total, n.run.counts) + (duration(n.run.durationMs) ? ` in ${duration(n.run.durationMs)}` : ''),
    ...(n.reason ? [`reason: ${n.reason}`] : []),
    ...(n.link ? [n.link] : []),
  ];
  // SNS subjects: printable ASCII, no line breaks, under 100 characters.
  const subject = `uigate: ${headline(n)}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);
  return { subject, text: lines.join('\n') };
}
