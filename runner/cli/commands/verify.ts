// `uigate verify`: before promotion (--preflight), whether the alarms can see anything; after it,
// a real bake — smoke tests against production with their outcome and latency published to
// CloudWatch, every alarm watched for the whole window — and on any alarm a rollback to the last
// good release, all recorded on the run's timeline. Exit 0 healthy, 1 blocked or rolled back.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { loadConfig } from '../../config/config.ts';
import { parseDuration } from '../../core/duration.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { openStore } from '../../store/open-store.ts';
import { CloudWatchAlarms } from '../../verify/cloudwatch-alarms.ts';
import { CloudWatchMetrics } from '../../verify/metrics.ts';
import { recordRelease } from '../../verify/releases.ts';
import { smokeProbe } from '../../verify/smoke.ts';
import { TARGETS } from '../../verify/target-spec.ts';
import { createNotifier, runLink } from '../../notify/from-config.ts';
import { runPreflight, verifyRelease, type Telling } from '../../verify/verify.ts';
import { parseRunId } from '../../core/model.ts';
import { targetOfFlags, type TargetFlags } from '../target-flags.ts';
import type { CommandIO } from '../io.ts';
import { ENV } from '../../core/env.ts';
import type { RunMeta } from '../../core/model.ts';
import type { ResultStore } from '../../store/result-store.ts';
import type { ProductionTarget } from '../../verify/production-target.ts';

export interface VerifyFlags extends Partial<TargetFlags> {
  config?: string;
  release: string;
  run?: string;
  alarm?: string[];
  bake?: string;
  poll?: string;
  smokeUrl?: string;
  insufficientData?: 'breach' | 'ok';
  preflight?: boolean;
  preflightWait?: string;
}

interface VerifyContext {
  flags: VerifyFlags;
  io: CommandIO;
  store: ResultStore;
  release: { releaseId: string; run: RunMeta };
  alarms: CloudWatchAlarms;
  names: string[];
  cloudwatch: CloudWatchClient;
  pollMs: number;
  say(line: string): void;
  tell: Telling;
}

/** Reads the flags as numbers and names, refusing them before anything is read when they make no sense. */
function readFlags(flags: VerifyFlags) {
  const names = flags.alarm ?? [];
  if (names.length === 0) throw new UsageError('name the alarms to watch: --alarm <name> (repeatable)');
  if (flags.insufficientData && !['breach', 'ok'].includes(flags.insufficientData))
    throw new UsageError('--insufficient-data takes breach or ok');
  const bakeMs = parseDuration(flags.bake ?? '10m', '--bake');
  const pollMs = parseDuration(flags.poll ?? '30s', '--poll');
  // Pre-flight waits for the probe it published to be taken in; without a probe nothing will come.
  const preflightWaitMs = parseDuration(flags.preflightWait ?? (flags.smokeUrl ? '3m' : '0s'), '--preflight-wait');
  if (!flags.preflight && !flags.target) throw new UsageError(`--target is required to roll back: ${TARGETS}`);
  return { names, bakeMs, pollMs, preflightWaitMs };
}

export async function verifyCommand(flags: VerifyFlags, io: CommandIO): Promise<number> {
  const runId = parseRunId(flags.run ?? flags.release);
  const { names, bakeMs, pollMs, preflightWaitMs } = readFlags(flags);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const region = io.env.AWS_REGION || config.store.region;
  // Parsed before anything is read: a bad --target is bad input whatever the store holds.
  const target = flags.target ? targetOfFlags({ ...flags, target: flags.target }, config, io) : undefined;
  const cloudwatch = new CloudWatchClient({
    region,
    endpoint: io.env[ENV.cloudwatchEndpoint] || undefined,
    retryMode: 'adaptive',
  });
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const { store } = await openStore(config.store);
  try {
    const run = await store.getRun(runId);
    if (!run) throw new UsageError(`no run ${runId} in the store: --release (or --run) names the approved run`);
    const context: VerifyContext = {
      flags,
      io,
      store,
      release: { releaseId: target ? await releaseIdOn(store, target, flags.release) : flags.release, run },
      alarms: new CloudWatchAlarms(cloudwatch),
      names,
      cloudwatch,
      pollMs,
      say,
      tell: { notifier: createNotifier(config, io.stderr), link: runLink(config, runId) },
    };
    if (!flags.preflight) return await bake(context, target!, bakeMs);
    if (target && (await firstRelease(context, target))) return EXIT.ok;
    return await preflight(context, preflightWaitMs);
  } finally {
    await store.close();
  }
}

/** Finds the release --release names: a release id, or the run that was promoted (a Lambda alias knows it by its version). */
async function releaseIdOn(store: ResultStore, target: ProductionTarget, release: string): Promise<string> {
  const releases = await store.listReleases(target.name, { limit: 100 });
  if (releases.some((r) => r.releaseId === release)) return release;
  return releases.find((r) => r.runId === release)?.releaseId ?? release;
}

/**
 * Says and records that pre-flight with --target has nothing to check when nothing uigate released
 * is live there (the first release, or a site deployed by other means), there is nothing whose
 * alarms could be checked; said and recorded.
 */
async function firstRelease({ store, say, release }: VerifyContext, target: ProductionTarget): Promise<boolean> {
  const live = await target.live();
  if (live && (await store.listReleases(target.name, { limit: 100 })).some((r) => r.releaseId === live)) return false;
  const reason = `nothing uigate released is live on ${target.name}${live ? ` (it serves ${live})` : ''}: a first release has nothing to pre-check`;
  say(`pre-flight: ${reason}`);
  await store.addEvent({
    runId: release.run.runId,
    at: new Date().toISOString(),
    type: 'preflight-skipped',
    actor: 'uigate verify',
    detail: { target: target.name, reason },
  });
  return true;
}

/** Makes the @smoke probe of production: one run of the @smoke tests per call. */
function smokeOf({ flags, io, say }: VerifyContext, url: string) {
  return smokeProbe({
    cwd: io.cwd,
    env: io.env,
    baseUrl: url,
    config: flags.config,
    signal: io.signal,
    log: say,
  });
}

/** Checks, before promotion, that the alarms can see anything; exit 1 blocks promotion. */
async function preflight(context: VerifyContext, waitMs: number): Promise<number> {
  const { flags, say, names } = context;
  // The watcher is fed before it is asked whether it is fed: one smoke run against what is live now.
  if (flags.smokeUrl)
    await new CloudWatchMetrics(context.cloudwatch, new URL(flags.smokeUrl).host).put(
      await smokeOf(context, flags.smokeUrl)(),
    );
  let waiting = false;
  const result = await runPreflight({
    store: context.store,
    release: context.release,
    alarms: context.alarms,
    names,
    actor: 'uigate verify',
    tell: context.tell,
    waitMs,
    pollMs: flags.poll ? context.pollMs : 15_000,
    signal: context.io.signal,
    onWait: (problems) => {
      if (!waiting)
        say(
          `pre-flight: waiting up to ${flags.preflightWait ?? '3m'} for CloudWatch to take in the probe (${problems.join('; ')})`,
        );
      waiting = true;
    },
  });
  for (const note of result.notes) say(`pre-flight: ${note}`);
  say(
    result.ok
      ? `pre-flight: ${names.length} alarm(s) armed and fed${result.notes.length ? '' : ' and OK'}`
      : `pre-flight FAILED — promotion blocked:\n${result.problems.map((p) => `  ✘ ${p}`).join('\n')}`,
  );
  return result.ok ? EXIT.ok : EXIT.testsFailed;
}

/** Bakes the promoted release, and rolls back on any alarm. */
async function bake(context: VerifyContext, target: ProductionTarget, bakeMs: number): Promise<number> {
  const { flags, say, store, names, release } = context;
  const since = await checkLive(context, target);
  say(
    `baking release ${release.releaseId} on ${target.name} for ${flags.bake ?? '10m'}: alarms ${names.join(', ')}${flags.smokeUrl ? `; @smoke tests against ${flags.smokeUrl}` : ''}`,
  );
  const result = await verifyRelease({
    store,
    target,
    release: context.release,
    alarms: context.alarms,
    names,
    actor: 'uigate verify',
    durationMs: bakeMs,
    pollMs: context.pollMs,
    insufficientData: flags.insufficientData,
    signal: context.io.signal,
    smoke: flags.smokeUrl ? smokeOf(context, flags.smokeUrl) : undefined,
    metrics: flags.smokeUrl ? new CloudWatchMetrics(context.cloudwatch, new URL(flags.smokeUrl).host) : undefined,
    since,
    tell: context.tell,
    onStale: (statuses) =>
      say(
        `  ${statuses.map((s) => s.name).join(', ')}: in ALARM on datapoints from before release ${release.releaseId} went live — not held against it`,
      ),
    onCheck: (statuses) => say(`  ${statuses.map((s) => `${s.name}: ${s.state}`).join(', ')}`),
  });
  if (result.healthy) {
    say(`verified: release ${release.releaseId} stayed healthy for ${flags.bake ?? '10m'} (${result.checks} checks)`);
    return EXIT.ok;
  }
  if (result.cancelled) {
    say(`cancelled: ${result.reason}; \`uigate verify\` bakes it again`);
    return EXIT.cancelled;
  }
  say(`${result.blind ? 'CANNOT WATCH' : 'ALARM'}: ${result.reason}`);
  if (result.rollbackError) {
    say(`ROLLBACK FAILED: ${result.rollbackError}; release ${release.releaseId} may still be live — act by hand`);
    return EXIT.infra;
  }
  say(
    result.restored
      ? `rolled back: ${target.name} serves release ${result.restored} again`
      : `no release on ${target.name} passed verification before: nothing to roll back to`,
  );
  return result.blind ? EXIT.infra : EXIT.testsFailed;
}

/**
 * Checks that the release is live (only what is live is baked), recording a release promoted by hand
 * as promoted first. Returns when it went live: the bake judges it only on what is measured from
 * then on.
 */
async function checkLive({ store, release }: VerifyContext, target: ProductionTarget): Promise<number> {
  const live = await target.live();
  if (live !== release.releaseId)
    throw new UsageError(
      `${target.name} serves ${live ?? 'nothing'}, not release ${release.releaseId}: verify what was promoted`,
    );
  const known = (await store.listReleases(target.name)).find((r) => r.releaseId === release.releaseId);
  if (known) return Date.parse(known.promotedAt);
  const record = await recordRelease(store, target.name, release.releaseId, release.run, 'promoted');
  await store.addEvent({
    runId: release.run.runId,
    at: new Date().toISOString(),
    type: 'promoted',
    actor: 'uigate verify',
    detail: { target: target.name, releaseId: release.releaseId },
  });
  return Date.parse(record.promotedAt);
}
