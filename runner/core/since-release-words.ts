// "Since the last production release" in one line, for the terminal and notifications. No Node
// imports: anything may say it.
import type { SinceRelease } from './model.ts';

/** One line: what changed since the live release, and whether a passing run covers each component. */
export function describeSinceRelease(since: SinceRelease): string {
  if (since.unknown) return `since the last production release: cannot tell (${since.unknown})`;
  const from = since.release
    ? `since release ${since.release.releaseId} (${since.release.commit.slice(0, 12)}): ${since.commits.length} commit(s)`
    : 'nothing released to production yet';
  if (since.components.length === 0) return `${from}, no component changed`;
  const states = since.components.map((c) => `${c.name} ${c.state}${c.runId ? ` (run ${c.runId})` : ''}`);
  return `${from}; ${states.join(', ')}`;
}
