// The uigate reporter: records each unit in the store as it ends. Started by uigate it joins the
// orchestrator's run and streams events back to it; in a plain `npx playwright test` it creates
// a run of its own (UIGATE_REPORT=off turns that off).
import { ciFacts } from '../config/ci-env.ts';
import { writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import pLimit from 'p-limit';
import { artifactStoreFromEnv } from '../artifacts/from-env.ts';
import { writeRunSnapshot } from '../artifacts/run-snapshot.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { readChildContext, type ChildContext, type ReporterEvent } from './child-env.ts';
import { loadConfig } from '../config/config.ts';
import { commitInfo } from '../config/commit-info.ts';
import { newRunId, type Attachment, type AttemptRecord, type UnitRecord } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { describeExpired, expireLocally } from '../store/expiry.ts';
import { connectStore, openStore } from '../store/open-store.ts';
import { RunLifecycle } from '../store/run-lifecycle.ts';
import { attemptOf, errorOf, statusAfter, unitOf } from './unit-result.ts';
import { seqOf } from '../core/seq.ts';
import { tooOldBrowser } from './browser-fault.ts';
import { visualChangesOf, withStoredImages } from './visual-changes.ts';
import { projectClosure } from './listing.ts';
import { isFinal } from '../core/statuses.ts';
import { ENV } from '../core/env.ts';

/**
 * The projects of this Playwright run that are there for others: each project with tests here is
 * asked for, and whatever they depend on or are torn down by is a dependency — Playwright's closure.
 */
function dependencyProjectsOf(config: FullConfig, suite: Suite): Set<string> {
  const present = suite.suites.map((projectSuite) => projectSuite.title);
  const projects = config.projects.map((project) => ({
    name: project.name,
    dependencies: project.dependencies,
    teardown: project.teardown,
  }));
  const roles = projectClosure(projects, present);
  return new Set([...roles].filter(([, role]) => role === 'dependency').map(([name]) => name));
}

export default class UigateReporter implements Reporter {
  private readonly child: ChildContext | undefined = readChildContext();
  private readonly disabled = !this.child && /^(off|0|false)$/i.test(process.env[ENV.report] ?? '');
  private runId = this.child?.runId ?? '';
  private store: ResultStore | undefined;
  /** The run this reporter made (a plain `npx playwright test`); none when uigate started it. */
  private lifecycle: RunLifecycle | undefined;
  private artifacts: ArtifactStore | undefined;
  private ready: Promise<void> = Promise.resolve();
  private readonly writes = pLimit(16);
  private readonly chains = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, AttemptRecord[]>();
  /** Each unit's saved attachments so far, over all its attempts. */
  private readonly saved = new Map<string, Attachment[]>();
  private storeError: string | undefined;
  private startedAt = new Date();
  private rootDir = process.cwd();
  /** Where screenshot baselines are relative to: the folder of playwright.config. */
  private projectDir = process.cwd();
  private suite: Suite | undefined;
  /** Projects that run here only for others (setup, teardown): their units are `dependency` ones. */
  private dependencyProjects = new Set<string>();
  /** Started by hand on the embedded store: its retention is ours to apply (runner/store/expiry.ts). */
  private expire: (() => Promise<string | undefined>) | undefined;

  printsToStdio() {
    // Started by uigate, nobody reads this Playwright's terminal: claiming it keeps Playwright from
    // adding its line reporter. Started by hand, the user's own reporters print.
    return this.child !== undefined;
  }

  onBegin(config: FullConfig, suite: Suite) {
    if (this.disabled) return;
    const tests = suite.allTests();
    this.suite = suite;
    this.rootDir = config.rootDir;
    this.projectDir = config.configFile ? dirname(config.configFile) : config.rootDir;
    this.dependencyProjects = dependencyProjectsOf(config, suite);
    this.emit({ type: 'begin', total: tests.length });
    this.ready = this.open(config, tests).catch((error: Error) => {
      this.storeError = error.message;
      this.emit({ type: 'error', message: `store: ${error.message}` });
      if (!this.child) process.stderr.write(`uigate: results not recorded: ${error.message}\n`);
    });
  }

  private async open(config: FullConfig, tests: TestCase[]) {
    if (this.child) {
      this.runId = this.child.runId;
      this.store = connectStore(this.child.store);
      this.artifacts = artifactStoreFromEnv(process.env);
      return;
    }
    const settings = await loadConfig(config.configFile ? dirname(config.configFile) : process.cwd());
    // On CI with the embedded store, the results would stay on a machine that is thrown away: not
    // worth a store's start-up in every job. Recorded when asked, or when the store is shared.
    const ci = ciFacts(process.env);
    if (ci && settings.store.embedded && !/^(on|1|true)$/i.test(process.env[ENV.report] ?? '')) {
      process.stderr.write(
        `uigate: not recording this ${ci.name} run in the embedded store, which goes with the machine: set UIGATE_REPORT=on to record it, or store.endpoint to a shared DynamoDB (npx uigate run records every run)\n`,
      );
      return;
    }
    this.runId = newRunId(this.startedAt);
    const { store } = await openStore(settings.store);
    this.store = store;
    this.expire = async () =>
      describeExpired(await expireLocally(store, settings.store, settings.artifacts.dir), settings.store.retentionDays);
    this.artifacts = artifactStoreFromEnv(process.env, settings.artifacts.dir);
    const units = tests.map((test) => unitOf(test, this.rootDir, this.dependencyProjects));
    const meta = {
      runId: this.runId,
      trigger: 'npx playwright test',
      ...(await commitInfo(process.cwd())),
      baseURL: config.projects[0]?.use.baseURL,
      // Playwright applies --grep and file filters before a reporter sees the config.
      selection: {
        unseen: true as const,
        ...(config.shard ? { shard: `${config.shard.current}/${config.shard.total}` } : {}),
      },
      executors: ['local' as const],
    };
    this.lifecycle = await RunLifecycle.start(store, meta, units, { fresh: false, startedAt: this.startedAt });
  }

  onTestBegin(test: TestCase, result: TestResult) {
    if (this.disabled) return;
    this.record(test, result, 'running');
  }

  onTestEnd(test: TestCase, result: TestResult) {
    if (this.disabled) return;
    const key = test.id;
    const attempts = [...(this.attempts.get(key) ?? []), attemptOf(result)];
    this.attempts.set(key, attempts);
    const status = statusAfter(test, result);
    // A browser that cannot run any test is the machine's fault: errored, in one line, not failed.
    const fault = status === 'failed' ? tooOldBrowser(errorOf(result.error), test.parent.project()?.use) : undefined;
    if (fault) this.record(test, result, 'errored', attempts, { message: fault });
    else if (status) this.record(test, result, status, attempts);
  }

  private record(
    test: TestCase,
    result: TestResult,
    status: UnitRecord['status'],
    attempts?: AttemptRecord[],
    error = errorOf(result.error),
  ) {
    const unit = unitOf(test, this.rootDir, this.dependencyProjects);
    const final = isFinal(status) || status === 'retrying';
    const base: UnitRecord = {
      ...unit,
      runId: this.runId,
      status,
      seq: seqOf(this.child?.dispatchTry ?? 0, result.retry),
      attempt: result.retry + 1,
      attempts,
      durationMs: final ? result.duration : undefined,
      error: final ? error : undefined,
      executor: this.child?.executor ?? 'local',
      executorRef: this.child?.executorRef,
      startedAt: result.startTime.toISOString(),
      finishedAt: final ? new Date(result.startTime.getTime() + result.duration).toISOString() : undefined,
    };
    // Told at once, before anything is awaited: if this process dies a moment later, the
    // orchestrator still has the result and writes it itself.
    this.emit({ type: 'unit', record: base });
    // One chain per unit keeps its writes in order; the limit keeps the store from being flooded.
    const previous = this.chains.get(unit.key) ?? this.ready;
    const next = previous.then(() =>
      this.writes(async () => {
        // Every attempt's files, not only the last one's: a flaky pass's screenshot and trace are
        // those of the attempt that failed.
        const saved = final ? await this.saveAttachments(unit.key, result) : undefined;
        if (saved?.length) this.saved.set(unit.key, [...(this.saved.get(unit.key) ?? []), ...saved]);
        const attachments = final ? this.saved.get(unit.key) : undefined;
        const record = { ...base, runId: this.runId, attachments, ...this.visual(result, status, saved) };
        if (attachments?.length) this.emit({ type: 'unit', record });
        if (!this.store) return;
        try {
          await this.store.recordUnit(record);
          this.emit({ type: 'stored', key: record.key, seq: record.seq });
        } catch (error) {
          this.storeError = (error as Error).message;
        }
      }),
    );
    this.chains.set(unit.key, next);
  }

  /** A failed attempt's screenshot comparisons, with the images as stored: what a person reviews. */
  private visual(result: TestResult, status: UnitRecord['status'], saved: Attachment[] | undefined) {
    if (status !== 'failed' || !saved?.length) return {};
    const found = visualChangesOf(result.attachments, result.errors, this.projectDir);
    const visual = withStoredImages(found.changes, saved, result.retry + 1);
    if (!visual.length) return {};
    return {
      visual,
      ...(found.visualOnly && visual.length === found.changes.length ? { visualOnly: true as const } : {}),
    };
  }

  private async saveAttachments(unitKey: string, result: TestResult): Promise<Attachment[] | undefined> {
    if (!this.artifacts || result.attachments.length === 0) return undefined;
    const saved: Attachment[] = [];
    for (const attachment of result.attachments) {
      const content = attachment.path
        ? { path: attachment.path }
        : attachment.body
          ? { body: attachment.body }
          : undefined;
      if (!content) continue;
      try {
        const path = await this.artifacts.put({
          runId: this.runId,
          unitKey,
          attempt: result.retry + 1,
          name: attachment.name,
          contentType: attachment.contentType,
          content,
        });
        saved.push({ name: attachment.name, contentType: attachment.contentType, path, attempt: result.retry + 1 });
      } catch {
        // A missing or unreadable attachment must not cost the unit its result.
      }
    }
    return saved;
  }

  async onEnd(result: FullResult) {
    if (this.disabled) return;
    this.recordNotRun(result);
    await this.ready;
    await Promise.all(this.chains.values());
    if (!this.child && this.store)
      await this.finishRun(result).catch((error: Error) =>
        process.stderr.write(`uigate: could not finish run ${this.runId}: ${error.message}\n`),
      );
    this.emit({ type: 'end', status: result.status });
    await this.store?.close();
  }

  /**
   * Tests Playwright decided not to run — the dependents of a failed setup project, the rest after
   * maxFailures — get no onTestEnd; Playwright reports them skipped, and so do we. Not when the run
   * was interrupted: then the orchestrator re-queues or cancels what is left.
   */
  private recordNotRun(result: FullResult) {
    if (result.status === 'interrupted' || result.status === 'timedout') return;
    for (const test of this.suite?.allTests() ?? []) {
      if (test.results.length > 0) continue;
      const notRun = {
        retry: 0,
        duration: 0,
        startTime: new Date(),
        attachments: [],
        status: 'skipped',
        errors: [],
      } as unknown as TestResult;
      this.record(test, notRun, 'skipped', []);
    }
  }

  private async finishRun(result: FullResult) {
    if (!this.lifecycle) return;
    const { run, units } = await this.lifecycle.finish({
      cancelled: result.status === 'interrupted',
      openReason: 'Playwright ended without running this test',
    });
    // Without it the status site reads the run unit by unit: slower, never wrong.
    if (this.artifacts) await writeRunSnapshot(this.artifacts, run, units).catch(() => undefined);
    const note = this.storeError ? ` (some writes failed: ${this.storeError})` : '';
    process.stderr.write(
      `uigate: recorded run ${this.runId}: ${run.status}, ${units.length} units${note}; see it with \`npx uigate serve\`\n`,
    );
    const expired = await this.expire?.().catch(
      (error: Error) => `uigate: could not delete expired results (store.retentionDays): ${error.message}`,
    );
    if (expired) process.stderr.write(`${expired}\n`);
  }

  private emit(event: ReporterEvent) {
    if (this.child?.eventsFd === undefined) return;
    try {
      writeSync(this.child.eventsFd, JSON.stringify(event) + '\n');
    } catch {
      // The orchestrator went away; the store still has everything.
    }
  }
}
