// How numbers, times and statuses read on the page.
import type { UnitStatus } from '../../runner/core/model.ts';
import { STATUS_ICON } from '../../runner/core/statuses.ts';

export type Status = UnitStatus;

export const STATUS_LABEL: Record<Status, string> = {
  queued: 'queued',
  running: 'running',
  retrying: 'retrying',
  passed: 'passed',
  flaky: 'flaky',
  failed: 'failed',
  skipped: 'skipped',
  errored: 'errored',
  cancelled: 'cancelled',
};

export { STATUS_ICON };

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export const percent = (rate: number) => `${Math.round(rate * 100)}%`;
export const shortCommit = (commit: string | undefined) => (commit ? commit.slice(0, 8) : '–');
