// How a run was narrowed, said as the flags that narrowed it. No Node imports: the status page
// shows it too.
import type { RunSelection } from './model.ts';

/** The selection as the flags that made it, for a person: `--module button --grep @smoke`. */
export function describeSelection(selection: RunSelection | undefined): string {
  if (!selection) return '';
  const parts: string[] = [];
  for (const module of selection.modules ?? []) parts.push(`--module ${module}`);
  for (const project of selection.projects ?? []) parts.push(`--project ${project}`);
  if (selection.grep !== undefined) parts.push(`--grep ${selection.grep}`);
  if (selection.grepInvert !== undefined) parts.push(`--grep-invert ${selection.grepInvert}`);
  if (selection.shard !== undefined) parts.push(`--shard ${selection.shard}`);
  if (selection.onlyChanged !== undefined)
    parts.push(selection.onlyChanged === true ? '--only-changed' : `--only-changed=${selection.onlyChanged}`);
  if (selection.lastFailed) parts.push('--last-failed');
  if (selection.changedSince) parts.push(`--changed ${selection.changedSince.slice(0, 12)}`);
  for (const file of selection.files ?? []) parts.push(file);
  if (selection.rerunOf !== undefined) parts.push(`--rerun-failed ${selection.rerunOf}`);
  if (selection.focused) parts.push('.only in the suite');
  if (selection.updateSnapshots) parts.push(`--update-snapshots ${selection.updateSnapshots}`);
  if (selection.unseen) parts.push('npx playwright test (its filters are not visible)');
  return parts.join(' ');
}

/**
 * Whether tests (not browsers: those are `requiredProjects`' business) were left out — or, with
 * `-u`, their screenshots written instead of compared: either way the run cannot vouch for them.
 */
export const leavesOutTests = (selection: RunSelection | undefined): boolean =>
  Boolean(
    selection &&
    (selection.modules?.length ||
      selection.grep !== undefined ||
      selection.grepInvert !== undefined ||
      selection.shard !== undefined ||
      selection.files?.length ||
      selection.onlyChanged !== undefined ||
      selection.lastFailed ||
      selection.changedSince ||
      selection.rerunOf !== undefined ||
      selection.focused ||
      selection.updateSnapshots ||
      selection.unseen),
  );

/** The trigger of a bake's smoke probe (runner/verify/smoke.ts): a run against production, not the suite. */
export const SMOKE_TRIGGER = 'uigate verify (smoke)';

/** Whether the run probed production for a bake rather than tested a commit. */
export const isSmokeRun = (run: { trigger: string }): boolean => run.trigger === SMOKE_TRIGGER;
