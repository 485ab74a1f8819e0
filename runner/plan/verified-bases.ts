// Where each component was last verified on a branch: the commit of the newest passing run that
// ran its tests — the whole suite, or a `--changed` run that covered it. `uigate run --changed`
// with no base compares each component with that commit, not with `HEAD^1`: a push may carry
// several commits, and a pipeline in SUPERSEDED mode skips executions, so only a passing run says
// what has been tested.
import type { RunMeta, RunSelection } from '../core/model.ts';
import { leavesOutTests } from '../core/selection.ts';
import type { ResultStore } from '../store/result-store.ts';

/** Enough to step over a day of narrowed runs and re-runs on a busy branch. */
const LOOK_BACK_RUNS = 300;

export interface VerifiedAt {
  commit: string;
  runId: string;
}

/**
 * The components a run verified: every one for a passing run of the whole suite, those it ran for
 * a passing `--changed` run narrowed by nothing else, none otherwise.
 */
export function verifiedBy(run: Pick<RunMeta, 'status' | 'selection'>, names: readonly string[]): string[] {
  if (run.status !== 'passed') return [];
  if (!leavesOutTests(run.selection)) return [...names];
  const { changedSince, components, ...rest } = run.selection as RunSelection;
  const narrowedOtherwise = leavesOutTests(rest as RunSelection) || rest.projects?.length;
  if (!changedSince || narrowedOtherwise) return [];
  return names.filter((name) => components?.includes(name));
}

/** Each component's newest passing run on `branch` that verified it, with its commit. */
export async function lastVerified(
  store: Pick<ResultStore, 'listRuns'>,
  branch: string,
  names: readonly string[],
): Promise<Map<string, VerifiedAt>> {
  const found = new Map<string, VerifiedAt>();
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await store.listRuns({ limit: 100, cursor });
    for (const run of page.items) {
      if (run.branch !== branch || !run.commit) continue;
      for (const name of verifiedBy(run, names))
        if (!found.has(name)) found.set(name, { commit: run.commit, runId: run.runId });
    }
    seen += page.items.length;
    cursor = page.cursor;
  } while (cursor && seen < LOOK_BACK_RUNS && found.size < names.length);
  return found;
}
