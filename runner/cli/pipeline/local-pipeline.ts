// `uigate pipeline --local`: the release pipeline's stages on one machine, with the same code the
// AWS pipeline runs — candidate site, `uigate run`, the gate, an approval (status-site button or
// `uigate approve`), promotion to a local production site that keeps its releases, a bake with the
// @smoke tests and a local alarm evaluated with CloudWatch's semantics, and a rollback on alarm.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../config/config.ts';
import { decide, loadApproval, openRequest } from '../../gate/approvals.ts';
import { approverName, localApprover, authenticateToken, localPerson } from '../../gate/identity.ts';
import { judgeRun } from '../../gate/judge.ts';
import { formatDecision } from '../../gate/policy.ts';
import type { RunMeta } from '../../core/model.ts';
import { createNotifier } from '../../notify/from-config.ts';
import type { Notifier } from '../../notify/notifier.ts';
import { LocalWatch } from './local-watch.ts';
import { serveStatic, type StaticServer } from './static-server.ts';
import type { ResultStore } from '../../store/result-store.ts';
import type { AlarmDefinition } from '../../verify/alarm-eval.ts';
import { siteDigest } from '../../verify/digest.ts';
import { LocalAlarm } from '../../verify/local-alarm.ts';
import { LocalSiteTarget } from '../../verify/local-site-target.ts';
import { LocalMetrics } from '../../verify/metrics.ts';
import type { SmokeProbe } from '../../verify/bake.ts';
import { smokeProbe } from '../../verify/smoke.ts';
import { promote, runPreflight, verifyRelease, type Telling } from '../../verify/verify.ts';
import { runSession, type SessionRequest } from '../../run/session.ts';
import type { CommandIO } from '../io.ts';
import { ENV } from '../../core/env.ts';

export interface LocalPipelineOptions {
  run: SessionRequest;
  config: ResolvedConfig;
  store: ResultStore;
  /** The site to release. */
  siteDir: string;
  bakeMs: number;
  approve: boolean;
  breakAfterPromote: boolean;
  statusUrl?: string;
  as?: string;
}

export interface PipelineOutcome {
  stage: 'test' | 'gate' | 'approval' | 'preflight' | 'verify';
  healthy: boolean;
  runId?: string;
  releaseId?: string;
  restored?: string;
  /** From the injected fault to the previous release being live again. */
  faultToRestoreMs?: number;
}

/** The smoke alarm, as the CDK stack defines it, with short periods for one machine. */
export const LOCAL_SMOKE_ALARM: AlarmDefinition = {
  name: 'uigate-smoke-failures',
  threshold: 1,
  comparison: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 2,
  datapointsToAlarm: 1,
  periodSeconds: 2,
  treatMissingData: 'notBreaching',
  statistic: 'Sum',
};

class Stages {
  private readonly say: (line: string) => void;
  readonly notifier: Notifier;

  constructor(
    private readonly options: LocalPipelineOptions,
    private readonly io: CommandIO,
    readonly executionId: string,
  ) {
    this.say = (line) => io.stderr.write(`${line}\n`);
    this.notifier = createNotifier(options.config, io.stderr);
  }

  /** Hands the release's news to the notifier that told the run's and the approval's. */
  telling(runId: string): Telling {
    return { notifier: this.notifier, link: this.link(runId) };
  }

  private link(runId: string) {
    return this.options.statusUrl ? `${this.options.statusUrl}/runs/${runId}` : undefined;
  }

  async candidate(dir: string): Promise<{ server: StaticServer; digest: string }> {
    await cp(this.options.siteDir, dir, { recursive: true });
    const digest = await siteDigest(dir);
    const server = await serveStatic(dir);
    this.say(`▸ candidate: ${server.url}  (${digest.slice(0, 19)}…, execution ${this.executionId})`);
    return { server, digest };
  }

  async test(baseUrl: string, digest: string): Promise<RunMeta> {
    const env = { ...this.io.env, [ENV.artifactDigest]: digest, [ENV.pipelineExecutionId]: this.executionId };
    this.say('▸ test: uigate run against the candidate');
    const summary = await runSession(
      { ...this.options.run, baseUrl, json: true, trigger: 'uigate pipeline --local' },
      { ...this.io, env, stdout: this.io.stderr },
    );
    return (await this.options.store.getRun(summary.runId))!;
  }

  async gate(run: RunMeta): Promise<boolean> {
    const { store, config } = this.options;
    const judged = (await judgeRun(store, run.runId, config.gate, 'uigate pipeline --local'))!;
    this.say(`▸ ${formatDecision(judged.decision).split('\n').join('\n  ')}`);
    if (!judged.decision.passed) return false;
    await openRequest({
      store,
      run: judged.run,
      gate: judged.decision,
      settings: config.approval,
      actor: 'uigate pipeline --local',
      notifier: this.notifier,
      link: this.link(run.runId),
    });
    return true;
  }

  async approval(run: RunMeta): Promise<boolean> {
    const { store, config } = this.options;
    if (this.options.approve) {
      const { token } = await localApprover(config.home, approverName(this.options.as, this.io.env));
      const approver = (await authenticateToken(config.home, token))!;
      const result = await decide(
        {
          runId: run.runId,
          approver,
          person: localPerson(approver),
          decision: 'approved',
          comment: 'unattended: uigate pipeline --local --approve',
        },
        { store, settings: config.approval, notifier: this.notifier, link: (id) => this.link(id) },
      );
      if (!result.ok) {
        this.say(
          `▸ approval refused: ${result.reason}${result.status === 403 ? ' — add this approver to approval.approvers in uigate.config.ts' : ''}`,
        );
        return false;
      }
      this.say(`▸ approved by ${approver} (--approve)`);
      return true;
    }
    this.say(
      `▸ waiting for approval: ${this.link(run.runId) ?? `run ${run.runId}`} (Approve button), or \`npx uigate approve --run ${run.runId} --comment "..."\``,
    );
    for (;;) {
      if (this.io.signal.aborted) return false;
      const view = await loadApproval(store, run.runId);
      if (view.state === 'approved') return true;
      if (view.state !== 'pending') {
        this.say(`▸ approval ${view.state}: not promoting`);
        return false;
      }
      await new Promise((ok) => setTimeout(ok, 1_000));
    }
  }

  smoke(url: string) {
    return smokeProbe({
      cwd: this.io.cwd,
      env: this.io.env,
      baseUrl: url,
      config: this.options.run.config,
      projects: this.options.run.project,
      signal: this.io.signal,
      log: (line) => this.say(`  ${line}`),
    });
  }
}

/** Breaks a promoted release the way a bad deploy would: the button says the wrong thing. */
async function breakRelease(dir: string): Promise<void> {
  const page = join(dir, 'button.html');
  const html = await readFile(page, 'utf8');
  await writeFile(page, html.replace('Button was clicked', 'Button was broken'));
}

/** What the stages after approval share: the approved release, production, its watcher and canary. */
interface ReleaseContext {
  options: LocalPipelineOptions;
  io: CommandIO;
  say(line: string): void;
  run: RunMeta;
  release: { releaseId: string; run: RunMeta };
  target: LocalSiteTarget;
  productionUrl: string;
  metrics: LocalMetrics;
  alarm: LocalAlarm;
  smoke: SmokeProbe;
  /** Where the release's news goes: the same notifier, so the terminal shows what the channel gets. */
  tell: Telling;
}

export async function runLocalPipeline(options: LocalPipelineOptions, io: CommandIO): Promise<PipelineOutcome> {
  const executionId = `local-${Date.now().toString(36)}`;
  const stages = new Stages(options, io, executionId);
  const watch = new LocalWatch({
    store: options.store,
    notifier: stages.notifier,
    executionId,
    cwd: io.cwd,
    env: io.env,
    statusUrl: options.statusUrl,
    warn: (line) => io.stderr.write(`uigate: ${line}\n`),
  });
  await watch.execution('STARTED');
  const outcome = await runStages(options, io, stages, watch);
  await tellOutcome(watch, outcome);
  return outcome;
}

/** The stage an outcome ended in, as the local pipeline names its stages (LOCAL_STAGES). */
const STAGE_OF: Record<PipelineOutcome['stage'], string> = {
  test: 'Test',
  gate: 'Approval',
  approval: 'Approval',
  preflight: 'Production',
  verify: 'Production',
};

async function tellOutcome(watch: LocalWatch, outcome: PipelineOutcome): Promise<void> {
  const stage = STAGE_OF[outcome.stage];
  if (outcome.healthy) {
    await watch.stage(stage, 'SUCCEEDED');
    return watch.execution('SUCCEEDED');
  }
  const why = {
    test: 'the run did not pass',
    gate: 'the gate refused the run',
    approval: 'not approved',
    preflight: 'pre-flight refused to promote',
    verify: outcome.restored ? `rolled back to ${outcome.restored}` : 'the bake failed',
  }[outcome.stage];
  await watch.stage(stage, 'FAILED', why);
  await watch.execution('FAILED');
}

async function runStages(
  options: LocalPipelineOptions,
  io: CommandIO,
  stages: Stages,
  watch: LocalWatch,
): Promise<PipelineOutcome> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const work = join(options.config.home, 'pipeline', stages.executionId);
  await mkdir(work, { recursive: true });
  const target = new LocalSiteTarget(resolve(options.config.home, 'production'));
  await mkdir(target.dir, { recursive: true });
  const production = await serveStatic(target.liveDir);
  await watch.stage('Build', 'STARTED');
  const { server: candidate, digest } = await stages.candidate(join(work, 'candidate'));
  try {
    await watch.stage('Build', 'SUCCEEDED');
    await watch.stage('Test', 'STARTED');
    const run = await stages.test(candidate.url, digest);
    if (run.status !== 'passed') {
      say(`▸ test stage ${run.status}: stopping before the gate`);
      return { stage: 'test', healthy: false, runId: run.runId };
    }
    await watch.stage('Test', 'SUCCEEDED');
    await watch.stage('Approval', 'STARTED');
    if (!(await stages.gate(run))) return { stage: 'gate', healthy: false, runId: run.runId };
    if (!(await stages.approval(run))) return { stage: 'approval', healthy: false, runId: run.runId };
    await watch.stage('Approval', 'SUCCEEDED');
    await watch.stage('Production', 'STARTED');
    const metrics = new LocalMetrics();
    const context: ReleaseContext = {
      options,
      io,
      say,
      run,
      target,
      metrics,
      release: { releaseId: run.runId, run },
      productionUrl: production.url,
      alarm: new LocalAlarm(LOCAL_SMOKE_ALARM, metrics.failures),
      smoke: stages.smoke(production.url),
      tell: stages.telling(run.runId),
    };
    if (!(await preflightStage(context))) return { stage: 'preflight', healthy: false, runId: run.runId };
    const { promotedAt, faultAt } = await promoteStage(context, join(work, 'candidate'));
    return await bakeStage(context, promotedAt, faultAt);
  } finally {
    await candidate.close();
    await production.close();
  }
}

/** Checks that the watcher sees the live release: it must, before it can judge the next one. */
async function preflightStage({
  options,
  say,
  target,
  metrics,
  alarm,
  smoke,
  release,
  tell,
}: ReleaseContext): Promise<boolean> {
  if (!(await target.live())) {
    say('▸ pre-flight: nothing live yet — this is the first release');
    return true;
  }
  const probe = await smoke();
  await metrics.put(probe);
  const check = await runPreflight({
    store: options.store,
    release,
    alarms: alarm,
    names: [LOCAL_SMOKE_ALARM.name],
    actor: 'uigate pipeline --local',
    tell,
    targetName: target.name,
  });
  if (!check.ok) {
    say(`▸ pre-flight FAILED — not promoting:\n${check.problems.map((p) => `  ✘ ${p}`).join('\n')}`);
    return false;
  }
  if (probe.failures || check.notes.length) {
    say(
      `▸ pre-flight: production is failing now${probe.failures ? ` (${probe.failures} of ${probe.total} smoke tests failed)` : ''}: promoting ${release.releaseId} fixes forward; its bake judges it only on smoke runs after it goes live`,
    );
    return true;
  }
  say('▸ pre-flight: the smoke alarm is armed, fed and OK');
  return true;
}

/** Makes the release live; with --break-after-promote, breaks it on purpose. When it went live, and the fault's time if one was made. */
async function promoteStage(
  { options, say, target, release, run, productionUrl, tell }: ReleaseContext,
  fromDir: string,
): Promise<{ promotedAt: number; faultAt?: number }> {
  const { previous, promotedAt } = await promote({
    store: options.store,
    target,
    release,
    fromDir,
    actor: 'uigate pipeline --local',
    tell,
  });
  say(`▸ promoted ${run.runId} to ${productionUrl}${previous ? ` (was ${previous})` : ''}`);
  if (!options.breakAfterPromote) return { promotedAt };
  await breakRelease(target.filesOf(run.runId));
  const faultAt = Date.now();
  await options.store.addEvent({
    runId: run.runId,
    at: new Date(faultAt).toISOString(),
    type: 'fault-injected',
    actor: 'uigate pipeline --local',
    detail: { what: 'button.html says "Button was broken" (--break-after-promote)' },
  });
  say('▸ --break-after-promote: production is now broken on purpose');
  return { promotedAt, faultAt };
}

/** Bakes the release: @smoke tests against production under the local alarm, and a rollback if it fires. */
async function bakeStage(
  context: ReleaseContext,
  promotedAt: number,
  faultAt: number | undefined,
): Promise<PipelineOutcome> {
  const { options, io, say, run } = context;
  say(
    `▸ bake: ${(options.bakeMs / 1000).toFixed(0)}s of @smoke tests against production, alarm ${LOCAL_SMOKE_ALARM.name} (SmokeFailures ≥ 1 in 1 of 2 periods of ${LOCAL_SMOKE_ALARM.periodSeconds}s)`,
  );
  let lastLine = '';
  let staleSaid = false;
  const result = await verifyRelease({
    store: options.store,
    target: context.target,
    release: context.release,
    alarms: context.alarm,
    names: [LOCAL_SMOKE_ALARM.name],
    actor: 'uigate pipeline --local',
    durationMs: options.bakeMs,
    pollMs: 1_000,
    smoke: context.smoke,
    metrics: context.metrics,
    signal: io.signal,
    settleMs: LOCAL_SMOKE_ALARM.periodSeconds * 1000,
    since: promotedAt,
    tell: context.tell,
    onStale: () => {
      if (!staleSaid)
        say(`  the alarm's window still holds smoke runs from before ${run.runId} went live: not held against it`);
      staleSaid = true;
    },
    onCheck: (statuses) => {
      const line = statuses.map((s) => `${s.state}: ${s.reason}`).join('; ');
      if (line !== lastLine) say(`  alarm ${(lastLine = line)}`);
    },
  });
  if (result.healthy) {
    say(`▸ promoted and healthy: production serves ${run.runId}`);
    return { stage: 'verify', healthy: true, runId: run.runId, releaseId: run.runId };
  }
  const faultToRestoreMs = faultAt && result.restoredAt ? result.restoredAt - faultAt : undefined;
  const took = faultToRestoreMs ? ` (${(faultToRestoreMs / 1000).toFixed(1)}s from fault to restored)` : '';
  say(
    result.restored
      ? `▸ ROLLED BACK: ${result.reason}; production serves ${result.restored} again${took}`
      : `▸ ALARM: ${result.reason}; no earlier release passed verification, so there is nothing to roll back to`,
  );
  return {
    stage: 'verify',
    healthy: false,
    runId: run.runId,
    releaseId: run.runId,
    restored: result.restored,
    faultToRestoreMs,
  };
}
