// A run's status as a badge: a run whose process is gone reads "lost", with what to do, instead
// of "running" for ever.
import { shownStatus } from '../../runner/core/statuses.ts';
import type { Run } from './api.ts';
import { h } from './dom.ts';
import { ago } from './format.ts';

export function statusBadge(run: Run, className: string, testId?: string): HTMLElement {
  const status = shownStatus(run, Date.now());
  const title =
    status === 'lost'
      ? `its uigate process stopped answering ${ago(run.heartbeatAt)}: nothing will finish it — run \`npx uigate run --resume ${run.runId}\` to run what was not recorded`
      : undefined;
  return h(
    'span',
    { class: `${className} s-${status}`, ...(testId ? { 'data-testid': testId } : {}), ...(title ? { title } : {}) },
    status,
  );
}
