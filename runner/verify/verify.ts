// Promotion and verification of a release, recorded as the run's timeline: pre-flight (can the
// alarms see anything?), promote (stage and publish on the target), bake (smoke tests and alarms
// for the whole window), and on any alarm a rollback to the last release that passed its own bake.
import { setTimeout as wait } from 'node:timers/promises';
import type { RunMeta } from '../core/model.ts';
import type { ReleaseEventDetail } from '../core/events.ts';
import type { Notifier } from '../notify/notifier.ts';
import { releaseNotification, type ReleaseStory } from '../notify/release-notifications.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { AlarmSource } from './alarm-source.ts';
import { preflight } from './alarm-source.ts';
import { bake, type BakeOptions, type BakeResult } from './bake.ts';
import type { SmokeSample } from './metrics.ts';
import { lastGood, recordRelease, type ReleaseOutcome } from './releases.ts';
import { canStage, type ProductionTarget } from './production-target.ts';
import { leaseHolder, withTargetLease, type LeaseOptions } from './target-lease.ts';

export interface ApprovedRelease {
  releaseId: string;
  run: RunMeta;
}

/** Writes one release event with the payload its type carries. */
type Timeline = <T extends keyof ReleaseEventDetail>(type: T, detail: ReleaseEventDetail[T]) => Promise<void>;

/** Who is told what happens to a release, besides its timeline: the team's channel and terminal. */
export interface Telling {
  notifier?: Notifier;
  /** The approved run's page. */
  link?: string;
}

/**
 * Writes the release's timeline and tells people the moments that are news (promoted, verified,
 * rolled back, rollback failed or impossible, pre-flight refused), from the same event: the two
 * never tell different stories. `story` is read when each event is written (the alarm that fired
 * is known only then).
 */
function timeline(store: ResultStore, runId: string, actor: string, tell?: Telling, story?: ReleaseStory): Timeline {
  return async (type, detail) => {
    await store.addEvent({
      runId,
      at: new Date().toISOString(),
      type,
      actor,
      detail: detail as unknown as Record<string, unknown>,
    });
    const news = tell?.notifier && story ? releaseNotification({ type, detail }, story) : undefined;
    if (news) await tell!.notifier!.notify(news);
  };
}

function storyOf(
  release: ApprovedRelease,
  target: string,
  tell: Telling | undefined,
  promotedAt?: number,
): ReleaseStory {
  return { run: release.run, link: tell?.link, target, releaseId: release.releaseId, promotedAt };
}

export interface PreflightInput {
  store: ResultStore;
  tell?: Telling;
  /** The target pre-flight would promote onto, for what a refusal says. */
  targetName?: string;
  release: ApprovedRelease;
  alarms: AlarmSource;
  names: readonly string[];
  actor: string;
  /**
   * How long to keep asking while the only problems are ones a fresh datapoint cures: CloudWatch
   * takes a probe's datapoint in within a minute or two, not at once. 0 (default): ask once.
   */
  waitMs?: number;
  pollMs?: number;
  onWait?: (problems: readonly string[]) => void;
  /** Ctrl-C: stop waiting and decide on what was seen. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Checks whether the watchers can watch; recorded either way, and a blind one blocks promotion. */
export async function runPreflight(
  input: PreflightInput,
): Promise<{ ok: boolean; problems: string[]; notes: string[] }> {
  const now = input.now ?? Date.now;
  const sleep = input.sleep ?? ((ms: number) => wait(ms, undefined, { signal: input.signal }).catch(() => undefined));
  const started = now();
  let result = preflight(await input.alarms.inspect(input.names));
  while (result.transient && now() - started < (input.waitMs ?? 0) && !input.signal?.aborted) {
    input.onWait?.(result.problems);
    await sleep(Math.min(input.pollMs ?? 15_000, Math.max(1, (input.waitMs ?? 0) - (now() - started))));
    result = preflight(await input.alarms.inspect(input.names));
  }
  const waitedMs = now() - started;
  await timeline(
    input.store,
    input.release.run.runId,
    input.actor,
    input.tell,
    storyOf(input.release, input.targetName ?? 'production', input.tell),
  )(result.ok ? 'preflight-passed' : 'preflight-failed', {
    alarms: [...input.names],
    problems: result.problems,
    ...(result.notes.length ? { notes: result.notes } : {}),
    ...(waitedMs > 0 && input.waitMs ? { waitedMs } : {}),
  });
  return { ok: result.ok, problems: result.problems, notes: result.notes };
}

export interface PromoteInput {
  store: ResultStore;
  target: ProductionTarget;
  release: ApprovedRelease;
  /** The release's files, for targets that keep them (sites). */
  fromDir?: string;
  actor: string;
  /** How the target's lease is waited for (another promote, a rollback or a drill under way). */
  lease?: LeaseOptions;
  tell?: Telling;
}

/**
 * Stages and publishes a release; `releaseId` is what the target knows it by from now on, and
 * `promotedAt` the moment it was live, from which on what is measured is its own evidence.
 */
export async function promote(
  input: PromoteInput,
): Promise<{ releaseId: string; previous?: string; promotedAt: number }> {
  const { target, release } = input;
  const holder = leaseHolder(`uigate promote of ${release.releaseId}`);
  const { previous, releaseId, record } = await withTargetLease(
    input.store,
    target.name,
    holder,
    async () => {
      const previous = await target.live();
      const staged =
        input.fromDir && canStage(target) ? await target.stage(release.releaseId, input.fromDir) : undefined;
      const releaseId = staged || release.releaseId;
      await target.publish(releaseId);
      const record = await recordRelease(input.store, target.name, releaseId, release.run, 'promoted');
      return { previous, releaseId, record };
    },
    input.lease,
  );
  await timeline(
    input.store,
    release.run.runId,
    input.actor,
    input.tell,
    storyOf({ ...release, releaseId }, target.name, input.tell),
  )('promoted', { target: target.name, releaseId, previous: previous ?? null });
  return { releaseId, previous, promotedAt: Date.parse(record.promotedAt) };
}

export interface VerifyInput extends Omit<BakeOptions, 'alarms' | 'names'> {
  store: ResultStore;
  target: ProductionTarget;
  release: ApprovedRelease;
  alarms: AlarmSource;
  names: readonly string[];
  actor: string;
  /** How a rollback waits for the target's lease (a drill under way). */
  lease?: LeaseOptions;
  tell?: Telling;
}

export type VerifyResult =
  | { healthy: true; checks: number }
  | {
      healthy: false;
      reason: string;
      alarmAt: number;
      restored?: string;
      restoredAt?: number;
      /** The bake could not watch (CloudWatch failed): rolled back as on an alarm, and an infrastructure error. */
      blind?: boolean;
      /** Stopped by the user: nothing rolled back, the release marked failed so it is never a rollback target. */
      cancelled?: boolean;
      /** The rollback itself failed: the failed release may still be live. */
      rollbackError?: string;
    };

/** Bakes the release, and rolls it back if the bake fails. The release's status in the store says how it went. */
export async function verifyRelease(input: VerifyInput): Promise<VerifyResult> {
  const { store, target, release } = input;
  const story = storyOf(release, target.name, input.tell, input.since);
  const record = timeline(store, release.run.runId, input.actor, input.tell, story);
  await record('bake-started', {
    target: target.name,
    releaseId: release.releaseId,
    alarms: [...input.names],
    bakeMs: input.durationMs,
  });
  let result: BakeResult;
  const told = new Set<string>();
  // Said once per alarm: the old fault is seen, and deliberately not held against this release.
  const onStale: BakeOptions['onStale'] = async (statuses) => {
    await input.onStale?.(statuses);
    for (const status of statuses.filter((s) => !told.has(s.name))) {
      told.add(status.name);
      await record('alarm-before-release', {
        alarm: status.name,
        reason: status.reason ?? 'ALARM',
        since: new Date(input.since!).toISOString(),
        said: `${status.name} is in ALARM on datapoints measured before release ${release.releaseId} went live; the release is judged only on what is measured from then on`,
      });
    }
  };
  const { onSample, failedSmoke } = smokeRunsOf(input.onSample);
  try {
    result = await bake({ ...input, alarms: input.alarms, names: input.names, onStale, onSample });
  } catch (error) {
    const message = (error as Error).message;
    if (input.signal?.aborted) {
      const reason = `bake cancelled by the user before it ended: release ${release.releaseId} stays live, unverified`;
      await record('bake-cancelled', { reason });
      await recordRelease(store, target.name, release.releaseId, release.run, 'failed', reason);
      return { healthy: false, cancelled: true, reason, alarmAt: Date.now() };
    }
    // Fail closed: a bake that cannot see its alarms cannot vouch for the release.
    const reason = `the bake could not watch its alarms (${message}): treated as an alarm`;
    story.reason = reason;
    await record('bake-error', { reason });
    return { ...(await rollBack(input, record, reason, Date.now(), {})), blind: true };
  }
  if (result.healthy) {
    await recordRelease(store, target.name, release.releaseId, release.run, 'verified');
    await record('verified', { target: target.name, releaseId: release.releaseId, checks: result.checks });
    return { healthy: true, checks: result.checks };
  }
  Object.assign(story, { alarm: result.alarm, reason: result.reason });
  const smokeRuns = failedSmoke.slice(-3);
  await record('alarm', {
    alarm: result.alarm,
    state: result.state,
    reason: result.reason,
    ...(smokeRuns.length ? { smokeRuns } : {}),
  });
  return rollBack(input, record, result.reason, result.at, {
    alarm: result.alarm,
    ...(smokeRuns.length ? { smokeRuns } : {}),
  });
}

/** Keeps the ids of the smoke runs that failed, so the alarm they set off links to them. */
function smokeRunsOf(onSample: BakeOptions['onSample']) {
  const failedSmoke: string[] = [];
  return {
    failedSmoke,
    onSample: (sample: SmokeSample) => {
      onSample?.(sample);
      if (sample.failures > 0 && sample.runId) failedSmoke.push(sample.runId);
    },
  };
}

/** Marks the release failed and brings back the last release that passed its own bake, if any. */
async function rollBack(
  input: VerifyInput,
  record: Timeline,
  reason: string,
  alarmAt: number,
  outcome: ReleaseOutcome,
): Promise<VerifyResult & { healthy: false }> {
  const { store, target, release } = input;
  await recordRelease(store, target.name, release.releaseId, release.run, 'failed', reason, outcome);
  const good = await lastGood(store, target.name, release.releaseId);
  if (!good) {
    await record('rollback-impossible', {
      reason: `no release on ${target.name} has passed verification; ${release.releaseId} stays live`,
    });
    return { healthy: false, reason, alarmAt };
  }
  await record('rollback-started', { from: release.releaseId, to: good.releaseId });
  try {
    await withTargetLease(
      store,
      target.name,
      leaseHolder(`uigate verify's rollback to ${good.releaseId}`),
      () => target.publish(good.releaseId),
      input.lease,
    );
  } catch (error) {
    // Told apart from an alarm with nothing to roll back to: someone must act, and knows on what.
    const rollbackError = `publishing ${good.releaseId} again on ${target.name} failed: ${(error as Error).message}`;
    await recordRelease(store, target.name, release.releaseId, release.run, 'failed', reason, {
      ...outcome,
      rollbackError,
    });
    await record('rollback-failed', { to: good.releaseId, reason: rollbackError });
    return { healthy: false, reason, alarmAt, rollbackError };
  }
  const restoredAt = Date.now();
  await recordRelease(store, target.name, release.releaseId, release.run, 'failed', reason, {
    ...outcome,
    rolledBackTo: good.releaseId,
  });
  await record('rollback-restored', {
    releaseId: good.releaseId,
    commit: good.commit ?? null,
    msFromAlarm: restoredAt - alarmAt,
  });
  return { healthy: false, reason, alarmAt, restored: good.releaseId, restoredAt };
}
