// `uigate run`: plan the units, record them as queued, dispatch batches, show progress, and end
// with the module × browser summary. Exit 0 only when every selected unit passed.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { toJUnit } from '../junit.ts';
import { keepRunSnapshot } from '../artifacts/run-snapshot.ts';
import type { Writable } from 'node:stream';
import { loadConfig, type ResolvedConfig } from '../config.ts';
import { dispatch } from '../dispatch.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { Executor } from '../executors/executor.ts';
import { baseUrlEnv, batchLimits, checkExecutors, createExecutors, executorNames, type ExecutorFlags } from '../executors/from-config.ts';
import { sourceInfo } from '../git.ts';
import { recentDurations } from '../history.ts';
import { listTests } from '../playwright/list.ts';
import type { Listing } from '../playwright/listing.ts';
import { findWorkerIndexUse } from '../playwright/worker-index-use.ts';
import { collision, localParallelism, type LocalParallelism } from '../executors/local-parallelism.ts';
import { packTestBundle } from '../executors/test-bundle.ts';
import { publishBundle, type TestSource } from '../lambda/test-source.ts';
import { countStatuses, isFinal, newRunId, RUN_ID_PATTERN, runStatusOf, type ExecutorName, type RunSelection, type RunStatus, type UnitRecord, type UnitRef, type UnitStatus } from '../model.ts';
import { assignExecutors, durationEstimator, planBatches, selectUnits, withDependencies, type Batch } from '../plan.ts';
import { Progress } from '../progress.ts';
import { buildSummary, formatExports, formatMatrix, type RunSummary } from '../summary.ts';
import { openStore } from '../store/open-store.ts';
import { unitsToRerun } from '../rerun.ts';
import { changesSince, describeChanges, NO_CHANGES } from '../changes.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { describeExpired, expireLocally } from '../store/expiry.ts';
import { createNotifier, runLink } from '../notify/from-config.ts';
import { artifactsOf, startStatusServer, type StatusServer } from '../../status-site/server.ts';
import { DEFAULT_PORT } from './serve.ts';
import { localApprovals } from '../../status-site/approvers.ts';
import type { ResultStore } from '../store/result-store.ts';

export interface RunFlags extends ExecutorFlags {
  config?: string;
  module?: string[];
  project?: string[];
  grep?: string;
  grepInvert?: string;
  json?: boolean;
  trigger?: string;
  /** Status site port; commander turns --no-serve into serve: false. */
  port?: number;
  serve?: boolean;
  /** Write the run as JUnit XML here. */
  junit?: string;
  /** Write the run's id, status and counts as shell variables here. */
  export?: string;
  /** Finish this run: its units without a final result are planned and run again. */
  resume?: string;
  /** Only the units that did not pass in this run (true: the latest finished one). */
  rerunFailed?: string | true;
}

export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** Live progress line and colours. */
  tty: boolean;
  signal: AbortSignal;
}

const EXIT_FOR: Record<RunStatus, number> = {
  passed: EXIT.ok,
  failed: EXIT.testsFailed,
  errored: EXIT.infra,
  cancelled: EXIT.cancelled,
  running: EXIT.infra,
};

/** Everything that can be wrong with the input is found here, before a run exists in the store. */
async function prepare(flags: RunFlags, io: CommandIO) {
  const executors = executorNames(flags);
  if (flags.baseUrl && !/^https?:\/\/[^\s/]+/.test(flags.baseUrl)) throw new UsageError(`--base-url "${flags.baseUrl}" is not an http(s) URL; pass e.g. https://test.example.com`);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const projects = split(flags.project);
  const { listing, units: listed } = await listTests({ cwd: io.cwd, playwrightConfig: config.playwrightConfig, grep: flags.grep, grepInvert: flags.grepInvert, projects, env: baseUrlEnv(flags) });
  const known = new Set(listing.projects.map((project) => project.name));
  // The browser helper left these projects out of the config; a project the config has whose browser is missing is refused.
  const dropped = listing.missingBrowsers.filter((entry) => !known.has(entry.project)).map((entry) => ({ name: entry.project, message: entry.message }));
  const missing = listing.missingBrowsers.filter((entry) => known.has(entry.project));
  if (listing.focused && listing.forbidOnly) throw new UsageError("a test or suite is focused with .only, and playwright.config's forbidOnly refuses that: remove the .only");
  const unfocused = new Set(listed.filter((_, i) => listing.tests[i]!.focused === false).map((unit) => unit.key));
  const units = selectUnits(listed, { modules: split(flags.module), projects }, { projects: listing.projects, dropped, missing, unfocused });
  checkExecutors(executors, config, flags, units, browserOf(listing));
  const notices = [
    ...(projects?.length ? [] : dropped.map((browser) => `skipping project ${browser.message}`)),
    ...(listing.grouping === 'file' ? [`this Playwright (${listing.playwrightVersion}) does not show its test groups; whole files are dispatched together`] : []),
  ];
  const workers = flags.workers ?? (config.executors.local.workers || listing.workers);
  const local = await localPlan(listing, config, workers, units);
  if (local.reason && executors.includes('local')) notices.push(`one Playwright process with ${workers} workers, not ${workers} side by side: ${local.reason}`);
  return { config, listing, listed, units, executors, notices, local, selection: selectionOf(flags, listing) };
}

type Prepared = Awaited<ReturnType<typeof prepare>>;

/** How the local executor runs `workers` at once for this suite (executors/local-parallelism.ts). */
async function localPlan(listing: Listing, config: ResolvedConfig, workers: number, units: readonly UnitRef[]): Promise<LocalParallelism> {
  const sideBySide = config.executors.local.sideBySide;
  if (sideBySide !== 'auto' || workers === 1) return localParallelism(workers, sideBySide, undefined);
  const entries = [...new Set(listing.tests.map((test) => resolve(listing.rootDir, test.file)))];
  if (listing.configFile) entries.push(listing.configFile);
  const dependencies = [...new Set(units.filter((unit) => unit.role === 'dependency').map((unit) => unit.project))];
  const why = collision(listing.processSetup, await findWorkerIndexUse(entries), dependencies);
  return localParallelism(workers, sideBySide, why);
}

/** Each project's browser (Playwright's default is chromium), for the executors that run only some. */
const browserOf = (listing: Pick<Listing, 'projects'>) => {
  const browsers = new Map(listing.projects.map((project) => [project.name, project.browserName ?? 'chromium']));
  return (project: string) => browsers.get(project) ?? project;
};

/** The units to run: the selected ones, or with --rerun-failed those of them that did not pass in that run. */
async function rerunOrAll(store: ResultStore, flags: RunFlags, prepared: Prepared) {
  if (!flags.rerunFailed) return { units: prepared.units, selection: prepared.selection, notices: [] as string[] };
  const rerun = await unitsToRerun(store, flags.rerunFailed, prepared.units, prepared.listing.projects);
  return { units: rerun.units, selection: { ...prepared.selection, rerunOf: rerun.runId }, notices: rerun.notices };
}

/** What narrowed the run, kept on it: a gate may refuse a run that left tests out. */
function selectionOf(flags: RunFlags, listing: Pick<Listing, 'focused'>): RunSelection | undefined {
  const selection: RunSelection = {
    ...(listing.focused ? { focused: true as const } : {}),
    ...(split(flags.module)?.length ? { modules: split(flags.module) } : {}),
    ...(split(flags.project)?.length ? { projects: split(flags.project) } : {}),
    ...(flags.grep !== undefined ? { grep: flags.grep } : {}),
    ...(flags.grepInvert !== undefined ? { grepInvert: flags.grepInvert } : {}),
  };
  return Object.keys(selection).length ? selection : undefined;
}

const split = (values: readonly string[] | undefined) => values?.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);

export async function runCommand(flags: RunFlags, io: CommandIO): Promise<number> {
  const summary = await runToSummary(flags, io);
  if (flags.json) io.stdout.write(JSON.stringify(summary) + '\n');
  return EXIT_FOR[summary.status];
}

/** A run (or a resumed one) to its end, as the summary: for callers that act on it (verify, pipeline). */
export async function runToSummary(flags: RunFlags, io: CommandIO): Promise<RunSummary> {
  if (flags.resume) return resume(flags, io);
  const human = flags.json ? io.stderr : io.stdout;
  const say = (line: string) => human.write(line + '\n');
  const prepared = await prepare(flags, io);
  const { config, notices, local, executors: names } = prepared;
  for (const notice of notices) say(`uigate: ${notice}`);

  const { store, endpoint } = await openStore(config.store);
  const { units, selection, notices: rerunNotices } = await rerunOrAll(store, flags, prepared).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  for (const notice of rerunNotices) say(`uigate: ${notice}`);
  const runId = newRunId();
  const startedAt = new Date();
  const workDir = join(config.home, 'runs', runId);
  let site: StatusServer | undefined;
  try {
    await store.createRun({
      runId,
      status: 'running',
      trigger: flags.trigger ?? (io.env.CI ? 'ci' : 'uigate run'),
      ...sourceInfo(io.cwd, io.env),
      baseURL: flags.baseUrl,
      ...(selection ? { selection } : {}),
      // The matrix's: setup and teardown projects are not browsers of it.
      projects: [...new Set(units.filter((unit) => unit.role !== 'dependency').map((unit) => unit.project))],
      modules: [...new Set(units.filter((unit) => unit.role !== 'dependency').map((unit) => unit.module))].sort(),
      executors: names,
      total: units.length,
      counts: { queued: units.length },
      startedAt: startedAt.toISOString(),
    });
    // Created just above with a new id: nothing else can have written to it.
    await store.queueUnits(runId, units, { fresh: true });
    site = flags.serve === false ? undefined : await serveDuringRun(store, config, human, flags.port);
    say(`uigate run ${runId}${site ? `: ${site.runUrl(runId)}` : ''}`);
    const notifier = createNotifier(config, human);
    const link = runLink(config, runId, site?.url);
    await notifier.notify({ kind: 'run-started', run: (await store.getRun(runId))!, link });
    const summary = await execute({ flags, io, config, store, endpoint, runId, units, local, listing: prepared.listing, browserOf: browserOf(prepared.listing), workDir, startedAt, say, url: site?.runUrl(runId), names });
    const run = (await store.getRun(runId))!;
    await notifier.notify({ kind: run.status === 'passed' ? 'run-finished' : 'run-failed', run, link, reason: run.reason ?? failureReason(summary) });
    await expireOld(store, config, say);
    if (site) say(servedAgain(site, runId));
    return summary;
  } catch (error) {
    // Never leave a run `running` behind: whatever stopped us, the run says so.
    await closeRun(store, runId, startedAt, 'errored', (error as Error).message).catch(() => undefined);
    throw error;
  } finally {
    await site?.close();
    await store.close();
    if (!io.env.UIGATE_KEEP_WORKDIR) await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * `uigate run --resume <runId>`: a run whose orchestrator died keeps every result it recorded; the
 * units still queued or running are planned again and dispatched above every earlier try, so
 * nothing runs twice into the record and nothing is dropped.
 */
async function resume(flags: RunFlags, io: CommandIO): Promise<RunSummary> {
  const runId = flags.resume!;
  if (!RUN_ID_PATTERN.test(runId)) throw new UsageError(`malformed run id "${runId.slice(0, 80)}" (--resume): run ids look like 20261122T185625123Z-k3f9`);
  if (flags.module?.length || flags.project?.length || flags.grep || flags.grepInvert || flags.rerunFailed) throw new UsageError('--resume finishes the run as it was planned: leave out --module, --project, --grep, --grep-invert and --rerun-failed');
  const human = flags.json ? io.stderr : io.stdout;
  const say = (line: string) => human.write(line + '\n');
  // The suite as it is now: the same workers, browsers and dependencies as a fresh run would use.
  const prepared = await prepare({ ...flags, resume: undefined }, io);
  const { config, executors: names, local, listing } = prepared;
  for (const notice of prepared.notices) say(`uigate: ${notice}`);
  const { store, endpoint } = await openStore(config.store);
  const workDir = join(config.home, 'runs', runId);
  let site: StatusServer | undefined;
  let startedAt = new Date();
  try {
    const run = await store.getRun(runId);
    if (!run) throw new UsageError(`no run ${runId} in the store to resume`);
    startedAt = new Date(run.startedAt);
    const all = await store.getUnits(runId);
    const open = openPieces(all, listing.projects);
    if (open.length === 0) {
      say(`run ${runId} has a final result for every unit (${run.status}); nothing to resume`);
      return buildSummary(run.status === 'running' ? { ...run, status: runStatusOf(all) } : run, all);
    }
    checkExecutors(names, config, flags, open, browserOf(listing));
    const firstDispatch = Math.max(0, ...all.map((unit) => Math.floor(unit.seq / 1000))) + 1;
    await store.updateRun(runId, { status: 'running', reason: undefined, finishedAt: undefined, durationMs: undefined });
    await store.addEvent({ runId, at: new Date().toISOString(), type: 'resumed', actor: 'uigate run --resume', detail: { open: open.length, kept: all.length - open.length, firstDispatch } });
    site = flags.serve === false ? undefined : await serveDuringRun(store, config, human, flags.port);
    const finished = new Set(all.filter((unit) => isFinal(unit.status)).map((unit) => unit.key));
    const again = open.filter((unit) => finished.has(unit.key) && unit.role !== 'dependency').length;
    const alsoAgain = again ? ` (${again} already finished, again with ${again === 1 ? 'its group' : 'their groups'})` : '';
    say(`uigate run --resume ${runId}: ${all.length - open.length} results kept, ${open.length} unit(s) to run${alsoAgain}${site ? ` — ${site.runUrl(runId)}` : ''}`);
    const summary = await execute({ flags, io, config, store, endpoint, runId, units: open, local, listing, browserOf: browserOf(listing), workDir, startedAt, say, url: site?.runUrl(runId), names, firstDispatch });
    await expireOld(store, config, say);
    if (site) say(servedAgain(site, runId));
    return summary;
  } catch (error) {
    // Its duration counts from the run's own start, as when it ends normally.
    if (!(error instanceof UsageError)) await closeRun(store, runId, startedAt, 'errored', (error as Error).message).catch(() => undefined);
    throw error;
  } finally {
    await site?.close();
    await store.close();
    if (!io.env.UIGATE_KEEP_WORKDIR) await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * What a resumed run still has to run: every piece with a unit that has no final result — the
 * whole piece, since a serial group's later steps need its earlier ones — and their setup projects.
 */
function openPieces(all: readonly UnitRecord[], projects: Listing['projects']): UnitRef[] {
  const refs = all.map(({ key, file, line, column, titlePath, project, module, tags, repeat, group, role }): UnitRef => ({ key, file, line, column, titlePath, project, module, ...(tags ? { tags } : {}), ...(repeat ? { repeat } : {}), ...(group ? { group } : {}), ...(role ? { role } : {}) }));
  const open = new Set(all.filter((unit) => !isFinal(unit.status) && unit.role !== 'dependency').map((unit) => unit.group ?? unit.key));
  if (open.size === 0) return [];
  return withDependencies(refs.filter((unit) => unit.role !== 'dependency' && open.has(unit.group ?? unit.key)), refs, projects);
}

interface ExecuteContext {
  flags: RunFlags;
  io: CommandIO;
  config: ResolvedConfig;
  store: ResultStore;
  endpoint: string | undefined;
  runId: string;
  units: UnitRef[];
  local: LocalParallelism;
  listing: Listing;
  browserOf(project: string): string;
  workDir: string;
  startedAt: Date;
  url?: string;
  names: ExecutorName[];
  say(line: string): void;
  firstDispatch?: number;
}

/** Lambda runs the commit's own suite: packed here, put where the function fetches it (lambda/test-source.ts). */
async function shipSuite(ctx: ExecuteContext): Promise<{ source: TestSource; config: string }> {
  const { listing, config } = ctx;
  const entries = [...new Set(listing.tests.map((test) => resolve(listing.rootDir, test.file)))];
  if (listing.configFile) entries.push(listing.configFile);
  const bundle = await packTestBundle({ projectDir: ctx.io.cwd, entries, outDir: join(ctx.workDir, 'bundle') });
  const { bucket, prefix, endpoint } = config.artifacts;
  const source = await publishBundle(bundle, bucket ? { bucket, prefix, endpoint, region: config.store.region } : undefined);
  const where = 'key' in source ? `s3://${source.bucket}/${source.key}` : source.file;
  ctx.say(`  test bundle for Lambda: ${(bundle.bytes / 1024 / 1024).toFixed(1)} MB (${bundle.files} files, ${bundle.packages} packages) at ${where}`);
  return { source, config: relative(ctx.io.cwd, config.playwrightConfig).split(sep).join('/') };
}

async function execute(ctx: ExecuteContext): Promise<RunSummary> {
  const { config, store, runId, units, io, say } = ctx;
  const history = await recentDurations(store);
  const { commit } = sourceInfo(io.cwd, io.env);
  const lambdaSource = ctx.names.includes('lambda') ? await shipSuite(ctx) : undefined;
  const chosen = createExecutors(ctx.names, { cwd: io.cwd, config, flags: ctx.flags, storeEndpoint: ctx.endpoint, workDir: ctx.workDir, local: ctx.local, results: store, sourceVersion: commit, lambdaSource });
  const durationOf = durationEstimator(history, config.dispatch.defaultUnitSeconds * 1000);
  const batches: Batch[] = [];
  const where: string[] = [];
  for (const [executor, assigned] of assignExecutors(units, chosen, ctx.browserOf)) {
    const planned = planBatches(assigned, { executor: executor.name, slots: executor.capacity, durationOf, ...batchLimits(executor, config) });
    batches.push(...planned);
    where.push(`${planned.length} batch${planned.length === 1 ? '' : 'es'} on ${executor.name} ×${executor.capacity}`);
  }
  const executors = new Map<ExecutorName, Executor>(chosen.map((executor) => [executor.name, executor]));

  const perProject = Object.entries(countBy(units, (unit) => unit.project)).map(([project, n]) => `${project} ${n}`).join(', ');
  const modules = new Set(units.map((unit) => unit.module)).size;
  say(`  ${units.length} units (${perProject}) in ${modules} modules, ${where.join(', ')}`);

  const progress = new Progress(ctx.flags.json ? io.stderr : io.stdout, units, { live: io.tty, color: io.tty && !io.env.NO_COLOR });
  // The runs list reads counts from the run item; keep them roughly current while the run goes.
  // Every unit of the run, so a resumed run's counts include the results it kept.
  const statuses = new Map<string, UnitStatus>((await store.getUnits(runId)).map((unit) => [unit.key, unit.status]));
  let changed = false;
  const publish = setInterval(() => {
    if (!changed) return;
    changed = false;
    void store.updateRun(runId, { counts: countStatuses([...statuses.values()].map((status) => ({ status }))) }).catch(() => undefined);
  }, 2_000);
  const result = await dispatch({
    runId,
    batches,
    executors,
    store,
    infraRetries: config.dispatch.infraRetries,
    batchTimeoutMs: config.dispatch.batchTimeoutSeconds * 1000,
    signal: io.signal,
    firstDispatch: ctx.firstDispatch,
    onUnit: (record) => {
      statuses.set(record.key, record.status);
      changed = true;
      progress.unit(record);
    },
    onRequeue: (requeued, error, dispatchTry) => progress.note(`! ${error.message} — re-queuing ${requeued.length} unfinished unit(s), try ${dispatchTry}`),
    onErrored: (failed, reason) => progress.note(`! ${failed.length} unit(s) errored: ${reason}`),
  }).finally(async () => {
    clearInterval(publish);
    progress.stop();
    for (const executor of chosen) await executor.close?.();
  });

  let finalUnits = await store.getUnits(runId);
  const open = finalUnits.filter((unit) => !isFinal(unit.status)).map((unit) => unit.key);
  if (open.length) {
    const cancelled = io.signal.aborted;
    await store.closeUnits(runId, open, cancelled ? 'cancelled' : 'errored', cancelled ? 'run cancelled' : 'no result came back for this unit');
    finalUnits = await store.getUnits(runId);
  }
  const status: RunStatus = io.signal.aborted ? 'cancelled' : runStatusOf(finalUnits);
  const reason = io.signal.aborted ? 'cancelled by the user' : result.errored.size ? `${result.errored.size} unit(s) could not be run` : undefined;
  const run = await closeRun(store, runId, ctx.startedAt, status, reason);
  const notKept = await keepRunSnapshot(config.artifacts, run, finalUnits);
  if (notKept) say(`  (the status site will read this run unit by unit: its snapshot was not written: ${notKept})`);
  const summary = buildSummary(run, finalUnits, ctx.url);
  // Did this run break something, or was it broken? Asked of the last full run on the branch.
  const changes = await changesSince(store, run, finalUnits).catch(() => NO_CHANGES);
  if (changes.baseline) summary.changes = { since: changes.baseline.runId, newFailures: changes.newFailures, stillFailing: changes.stillFailing, fixed: changes.fixed };
  if (ctx.flags.junit) {
    await mkdir(dirname(resolve(io.cwd, ctx.flags.junit)), { recursive: true });
    await writeFile(resolve(io.cwd, ctx.flags.junit), toJUnit(run, finalUnits));
  }
  if (ctx.flags.export) {
    await mkdir(dirname(resolve(io.cwd, ctx.flags.export)), { recursive: true });
    const link = runLink(config, runId, ctx.url?.replace(/\/runs\/.*$/, ''));
    await writeFile(resolve(io.cwd, ctx.flags.export), formatExports({ ...summary, url: link ?? summary.url }, { UIGATE_ARTIFACT_DIGEST: run.artifactDigest, UIGATE_PIPELINE_EXECUTION_ID: run.pipelineExecutionId }));
  }
  say('');
  say(formatMatrix(summary));
  say('');
  if (changes.baseline) say(describeChanges(changes, finalUnits, run.branch));
  say(`${status.toUpperCase()}: ${describeCounts(summary)} in ${((run.durationMs ?? 0) / 1000).toFixed(1)}s — run ${runId}`);
  return summary;
}

/** The embedded store keeps everything unless told: `store.retentionDays` is applied here, once a day. */
async function expireOld(store: DynamoStore, config: ResolvedConfig, say: (line: string) => void): Promise<void> {
  try {
    const line = describeExpired(await expireLocally(store, config.store, config.artifacts.dir), config.store.retentionDays);
    if (line) say(line);
  } catch (error) {
    say(`uigate: could not delete expired results (store.retentionDays): ${(error as Error).message}`);
  }
}

/** The run's links point at a site that closes with the run: say how to open it again. */
function servedAgain(site: StatusServer, runId: string): string {
  const port = Number(new URL(site.url).port);
  return `the status site closed with the run; \`npx uigate serve${port === DEFAULT_PORT ? '' : ` --port ${port}`}\` serves it again at ${site.runUrl(runId)}`;
}

/** The status site for the run's duration: on the usual port, or any free one if that is taken. */
async function serveDuringRun(store: ResultStore, config: ResolvedConfig, terminal: Writable, port = DEFAULT_PORT): Promise<StatusServer> {
  let url: string | undefined;
  const options = { store, ...artifactsOf(config.artifacts), approvals: localApprovals(config, terminal, () => url) };
  const server = await startStatusServer({ ...options, port }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' || port === 0) throw error;
    return startStatusServer({ ...options, port: 0 });
  });
  url = server.url;
  return server;
}

async function closeRun(store: ResultStore, runId: string, startedAt: Date, status: RunStatus, reason?: string) {
  const units = await store.getUnits(runId);
  const finishedAt = new Date();
  await store.updateRun(runId, { status, counts: countStatuses(units), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(), reason });
  return (await store.getRun(runId))!;
}

/** The first failures, for a message that says what broke without opening the run. */
function failureReason(summary: RunSummary): string | undefined {
  const failed = summary.failures;
  if (!failed.length) return undefined;
  const first = failed.slice(0, 3).map((unit) => `[${unit.project}] ${unit.title}`).join('; ');
  return `${failed.length} failed: ${first}${failed.length > 3 ? '; …' : ''}`;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function describeCounts(summary: RunSummary): string {
  const parts = Object.entries(summary.counts).map(([status, n]) => `${n} ${status}`);
  return `${summary.total} units: ${parts.join(', ')}`;
}
