// Which release is good, per production target, as the store remembers it: never roll back onto a
// release that itself failed verification.
import type { Release, ReleaseStatus, RunMeta } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';

/** Finds the newest release on the target that passed its bake, other than `except`. */
export async function lastGood(store: ResultStore, target: string, except?: string): Promise<Release | undefined> {
  const releases = await store.listReleases(target, { limit: 100 });
  return releases.find((release) => release.status === 'verified' && release.releaseId !== except);
}

/** What a failed release's record says besides its reason: which alarm, which smoke runs, where it went. */
export type ReleaseOutcome = Pick<Release, 'alarm' | 'rolledBackTo' | 'rollbackError' | 'smokeRuns'>;

/** Records the release's status on the target, keeping when it went live and what its bake found. */
export async function recordRelease(
  store: ResultStore,
  target: string,
  releaseId: string,
  run: Pick<RunMeta, 'runId' | 'commit'>,
  status: ReleaseStatus,
  reason?: string,
  outcome: ReleaseOutcome = {},
): Promise<Release> {
  const existing = (await store.listReleases(target, { limit: 100 })).find(
    (release) => release.releaseId === releaseId,
  );
  const now = new Date().toISOString();
  const record: Release = {
    target,
    releaseId,
    runId: run.runId,
    ...(run.commit ? { commit: run.commit } : {}),
    status,
    promotedAt: status === 'promoted' || !existing ? now : existing.promotedAt,
    updatedAt: now,
    ...(reason ? { reason } : status === 'failed' && existing?.reason ? { reason: existing.reason } : {}),
    ...(status === 'failed' ? { ...pick(existing), ...outcome } : {}),
  };
  await store.putRelease(record);
  return record;
}

function pick(release: Release | undefined): ReleaseOutcome {
  if (!release) return {};
  const { alarm, rolledBackTo, rollbackError, smokeRuns } = release;
  return {
    ...(alarm ? { alarm } : {}),
    ...(rolledBackTo ? { rolledBackTo } : {}),
    ...(rollbackError ? { rollbackError } : {}),
    ...(smokeRuns ? { smokeRuns } : {}),
  };
}
