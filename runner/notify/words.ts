// The small phrases every notification uses: counts, durations, a time of day, a commit's subject.
import type { StatusCounts } from '../core/model.ts';
import { DISPLAY_ORDER } from '../core/statuses.ts';

/** "48 units: 45 passed, 2 failed, 1 flaky". */
export function countsLine(total: number, counts: StatusCounts): string {
  const parts = DISPLAY_ORDER.filter((status) => counts[status]).map((status) => `${counts[status]} ${status}`);
  return `${total} units${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** "42s", "6m 12s", "2h 5m". */
export function duration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** A time people read: 14:05 UTC. */
export const clock = (iso: string) => `${iso.slice(11, 16)} UTC`;

/** A commit message's subject line, at most 72 characters. */
export function firstLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
}

/** The command that re-runs a run's failed tests. */
export const rerunStep = (runId: string) => `Re-run what failed: npx uigate run --rerun-failed ${runId}`;
