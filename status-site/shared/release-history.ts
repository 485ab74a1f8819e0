// What happened to each release, in words a release manager reads at a glance: per production
// target, what is live now and the history of promotions, verifications and rollbacks, each with
// what to do next. Pure; the API joins the approvals, the page draws it.
import type { Release } from '../../runner/core/model.ts';

/** Who approved the release's run, from its approval events. */
export interface ReleaseApproval {
  by: string[];
  at?: string;
  override?: boolean;
}

export interface ReleaseEntry extends Release {
  approval?: ReleaseApproval;
}

/** One release's state, in a word for its badge. */
export type ReleaseState =
  'baking' | 'verified' | 'rolled back' | 'failed, still live' | 'rollback failed' | 'unverified';

export interface TargetHistory {
  target: string;
  /** The release serving now, as far as uigate knows; absent before any. */
  live?: { releaseId: string; runId: string; state: ReleaseState; since: string };
  releases: ReleaseEntry[];
}

/** A bake cancelled by the user: the reason verify.ts writes. */
const CANCELLED = /^bake cancelled/;

export function releaseState(release: Release): ReleaseState {
  if (release.status === 'verified') return 'verified';
  if (release.status === 'promoted') return 'baking';
  if (release.rolledBackTo) return 'rolled back';
  if (release.rollbackError) return 'rollback failed';
  if (release.reason && CANCELLED.test(release.reason)) return 'unverified';
  return 'failed, still live';
}

/** Groups releases by target, newest first, and finds what each target serves now. */
export function targetHistories(releases: readonly ReleaseEntry[]): TargetHistory[] {
  const byTarget = new Map<string, ReleaseEntry[]>();
  for (const release of releases) byTarget.set(release.target, [...(byTarget.get(release.target) ?? []), release]);
  return [...byTarget].map(([target, list]) => {
    const sorted = [...list].sort((a, b) => b.promotedAt.localeCompare(a.promotedAt));
    return { target, live: liveOf(sorted), releases: sorted };
  });
}

/** The newest release, unless it was rolled back: then the one restored, which went live again then. */
function liveOf(newestFirst: readonly Release[]): TargetHistory['live'] {
  const newest = newestFirst[0];
  if (!newest) return undefined;
  if (!newest.rolledBackTo) return { ...pickLive(newest), since: newest.promotedAt };
  const restored = newestFirst.find((release) => release.releaseId === newest.rolledBackTo);
  return {
    releaseId: newest.rolledBackTo,
    runId: restored?.runId ?? '',
    state: restored ? releaseState(restored) : 'verified',
    since: newest.updatedAt,
  };
}

const pickLive = (release: Release) => ({
  releaseId: release.releaseId,
  runId: release.runId,
  state: releaseState(release),
});

/** What to do about a release in this state, in one sentence. */
export function whatNow(state: ReleaseState, release: Pick<Release, 'releaseId' | 'target' | 'rolledBackTo'>): string {
  switch (state) {
    case 'verified':
      return 'Nothing to do: it passed its own bake.';
    case 'baking':
      return 'Being watched: any alarm during its bake rolls it back to the last verified release.';
    case 'rolled back':
      return `Production is back on ${release.rolledBackTo}. Fix forward: push the fix; the next release is judged on its own evidence.`;
    case 'rollback failed':
      return `It may still be live: publish the last verified release by hand (npx uigate promote --release <its run> --target ${release.target}), then check production.`;
    case 'unverified':
      return `Live but never verified: bake it again (npx uigate verify --release ${release.releaseId} --target ${release.target} --smoke-url <url>) or promote a verified release.`;
    case 'failed, still live':
      return 'Still live: nothing verified came before it to roll back to. Fix forward now; if it cannot wait, take production down by hand.';
  }
}

const COMPARISON: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'at or above',
  GreaterThanThreshold: 'above',
  LessThanThreshold: 'below',
  LessThanOrEqualToThreshold: 'at or below',
};

const CLOUD_COMPARISON: Record<string, string> = {
  'greater than or equal to': 'at or above',
  'greater than': 'above',
  'less than': 'below',
  'less than or equal to': 'at or below',
};

/** Why a failed release failed, in plain words, from the reason its record keeps (verify.ts). */
export function failureWords(release: Pick<Release, 'reason' | 'alarm'>): string | undefined {
  const reason = release.reason;
  if (!reason) return undefined;
  if (CANCELLED.test(reason)) return 'Its bake was stopped before it ended, so it was never verified.';
  if (/^the bake could not watch its alarms/.test(reason))
    return 'The bake could not read its alarms, so it could not vouch for the release: treated as an alarm.';
  const gone = /^alarm (\S+) disappeared/.exec(reason);
  if (gone) return alarmWords(gone[1]!, 'MISSING', reason);
  const state = /^(\S+) is (ALARM|INSUFFICIENT_DATA)(?:: (.*))?$/s.exec(reason);
  if (state) return alarmWords(state[1]!, state[2]!, state[3]);
  return release.alarm ? alarmWords(release.alarm, 'ALARM', reason) : undefined;
}

/**
 * An alarm's state and reason in plain words. Reads the local evaluator's reason (alarm-eval.ts)
 * and CloudWatch's StateReason ("Threshold Crossed: 1 out of the last 1 datapoints [...] was
 * greater than or equal to the threshold (1.0) ..."); anything else keeps only the state's words.
 */
export function alarmWords(alarm: string, state: string, reason = ''): string {
  const what = /smoke/i.test(alarm) ? 'smoke tests failed in production' : 'what it watches crossed its limit';
  if (state === 'MISSING' || /disappeared/.test(reason))
    return `The alarm ${alarm} no longer exists (deleted or renamed), so nothing could vouch for the release.`;
  if (state === 'INSUFFICIENT_DATA')
    return `The alarm ${alarm} had no data to judge the release by: nothing it watches arrived during the bake.`;
  const local = /^(\d+) of the last (\d+) periods breached (\w+) ([-\d.]+) \(needs (\d+)\)/.exec(reason);
  if (local) {
    const [, breached, periods, comparison, threshold, needed] = local;
    return `The alarm ${alarm} went off: ${what} — ${breached} of its last ${periods} checks were ${COMPARISON[comparison!] ?? comparison} ${threshold} (${needed} set it off).`;
  }
  const cloud = /(\d+) out of the last (\d+) datapoints?.*? (?:was|were) (.+?) the threshold \(([-\d.]+)\)/.exec(
    reason,
  );
  if (cloud) {
    const [, breached, periods, comparison, threshold] = cloud;
    return `The alarm ${alarm} went off: ${what} — ${breached} of its last ${periods} datapoints were ${CLOUD_COMPARISON[comparison!] ?? comparison} ${threshold}.`;
  }
  return `The alarm ${alarm} went off: ${what}.`;
}
