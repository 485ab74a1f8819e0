// GET /api/releases: every production target's releases, newest first, each with who approved it,
// and what each target serves now. The runs list marks the runs these releases came from.
import type { Hono } from 'hono';
import pLimit from 'p-limit';
import type { Release, RunMeta } from '../../runner/core/model.ts';
import type { ResultStore } from '../../runner/store/result-store.ts';
import {
  releaseState,
  targetHistories,
  type ReleaseApproval,
  type ReleaseEntry,
  type ReleaseState,
} from '../shared/release-history.ts';

/** Releases listed at most: a page a person reads, and one events query per release's run. */
const LIMIT = 60;

/** What the runs list shows of the release a run became. */
export interface RunRelease {
  target: string;
  releaseId: string;
  state: ReleaseState;
}

export function releasesRoute(app: Hono, store: ResultStore) {
  app.get('/api/releases', async (c) => {
    const releases = await store.recentReleases({ limit: LIMIT });
    const limit = pLimit(4);
    const approvals = new Map(
      await Promise.all(
        [...new Set(releases.map((release) => release.runId))].map((runId) =>
          limit(async () => [runId, await approvalOf(store, runId)] as const),
        ),
      ),
    );
    const entries: ReleaseEntry[] = releases.map((release) => {
      const approval = approvals.get(release.runId);
      return approval ? { ...release, approval } : release;
    });
    return c.json({ targets: targetHistories(entries) });
  });
}

/** Adds to each run the release it became, if any: its newest, on any target. */
export async function withReleases(
  store: ResultStore,
  runs: RunMeta[],
): Promise<(RunMeta & { release?: RunRelease })[]> {
  if (runs.length === 0) return runs;
  const byRun = new Map<string, Release>();
  // Newest first: the first seen of a run is its newest release.
  for (const release of await store.recentReleases({ limit: 100 }))
    if (!byRun.has(release.runId)) byRun.set(release.runId, release);
  return runs.map((run) => {
    const release = byRun.get(run.runId);
    return release
      ? { ...run, release: { target: release.target, releaseId: release.releaseId, state: releaseState(release) } }
      : run;
  });
}

/** Who approved the run, from its decision (approvals.ts records every approver in it); undefined if it was never approved. */
async function approvalOf(store: ResultStore, runId: string): Promise<ReleaseApproval | undefined> {
  const events = await store.listEvents(runId);
  const decided = events.find((event) => event.type === 'approval-decided' && event.detail?.state === 'approved');
  if (!decided) return undefined;
  const approvers = decided.detail?.approvers;
  const by = Array.isArray(approvers) ? approvers.map(String) : decided.actor ? [decided.actor] : [];
  return { by, at: decided.at, ...(decided.detail?.override ? { override: true } : {}) };
}
