// A run session, from the request to the summary: the store opened while Playwright lists the
// suite, the run recorded as queued (or a dead run reopened with --resume, or the failures of one
// taken again with --rerun-failed), its batches dispatched, the run finished and reported. The
// command line, the local pipeline and the bake's smoke probes all run their suites through here;
// the terminal, the status site and flags are the callers' (runner/cli).
import { ciFacts } from '../config/ci-env.ts';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { keepRunSnapshot } from '../artifacts/run-snapshot.ts';
import type { ResolvedConfig } from '../config/config.ts';
import { UsageError } from '../core/errors.ts';
import { newRunId, parseRunId, type RunMeta, type UnitRecord } from '../core/model.ts';
import { dispatchOf } from '../core/seq.ts';
import { isFinal, runStatusOf } from '../core/statuses.ts';
import { ENV } from '../core/env.ts';
import { executorNames } from '../executors/names.ts';
import { createNotifier, runLink } from '../notify/from-config.ts';
import { expectedFinish, HISTORY_RUNS, pipelineFinishAfterRun } from '../notify/expected-finish.ts';
import { recentDurations, type Durations } from '../plan/history.ts';
import { openPieces, unitsToRerun } from '../plan/rerun.ts';
import type { WarmPool } from '../playwright/warm-start.ts';
import { changesSince, describeChanges, NO_CHANGES } from '../report/changes.ts';
import { keepHtmlReport } from '../report/html-report.ts';
import { runUserReporters } from '../report/user-reporters.ts';
import { toJUnit } from '../report/junit.ts';
import { Progress, wantsColor } from '../report/progress.ts';
import { buildSummary, formatExports, formatMatrix, type RunSummary } from '../report/summary.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { describeExpired, expireLocally } from '../store/expiry.ts';
import { openStore, type OpenedStore } from '../store/open-store.ts';
import { recordSinceRelease } from './release-coverage.ts';
import { describeSinceRelease } from '../core/since-release-words.ts';
import type { ResultStore } from '../store/result-store.ts';
import { RunLifecycle } from '../store/run-lifecycle.ts';
import { onForcedExit } from './forced-exit.ts';
import type { RunContext } from './context.ts';
import type { ListedSelection } from './list-selection.ts';
import { prepareRun, type PreparedRun, type RunRequest } from './prepare.ts';
import { runUnits } from './run-units.ts';

/** What a session is given to work with: the folder, the environment, the terminal, and a signal that cancels it. */
export interface SessionIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** Live progress line and colours. */
  tty: boolean;
  signal: AbortSignal;
}

export interface SessionRequest extends RunRequest {
  /** The summary goes to stdout as JSON: people's lines go to stderr. */
  json?: boolean;
  trigger?: string;
  /** Write the run as JUnit XML here. */
  junit?: string;
  /** Write the run's id, status and counts as shell variables here. */
  export?: string;
  /** Finish this run: its units without a final result are planned and run again. */
  resume?: string;
  /** Only the units that did not pass in this run (true: the latest finished one). */
  rerunFailed?: string | true;
}

/** What the caller started before the session, so that it happens while the session's modules load. */
export interface EarlyStart {
  /** uigate's config, loaded before the listing started. */
  config?: ResolvedConfig;
  /** Playwright's listing of the suite. */
  listed?: Promise<ListedSelection>;
  /** Warm Playwright processes for local batches and merge-reports (playwright/warm-start.ts). */
  warm?: WarmPool;
}

/** A status site served for the run's duration by the caller (the command line starts servers). */
export interface SiteDuringRun {
  /** The site's root, without a trailing slash. */
  url: string;
  runUrl(runId: string): string;
  /** What to tell once the site has closed with the run. */
  closedLine?(runId: string): string;
  close(): Promise<void>;
}

export interface SessionOptions {
  early?: EarlyStart;
  /** Serves the status site while the run goes; none when absent. */
  serve?: (store: ResultStore, config: ResolvedConfig, terminal: Writable) => Promise<SiteDuringRun>;
}

/** What a run session has once the run exists: the run's context, its lifecycle, the units it runs now. */
interface Session extends RunContext {
  flags: SessionRequest;
  io: SessionIO;
  store: DynamoStore;
  lifecycle: RunLifecycle;
  units: PreparedRun['units'];
  say(line: string): void;
  /** The status site serving this run, when one is. */
  site?: SiteDuringRun;
  /** The dispatch try to start from (a resumed run: above every earlier one). */
  firstDispatch?: number;
  /** Earlier runs' durations, when read while the suite was listed. */
  history?: Promise<Durations>;
}

/**
 * The store opens, and earlier runs' durations are read from it, while Playwright lists the suite:
 * neither needs the listing, and reading a few big runs back takes a second or more. A listing
 * that refuses the run closes the store again.
 */
async function prepareBesideStore(
  flags: SessionRequest,
  io: SessionIO,
  early: EarlyStart | undefined,
): Promise<{ prepared: PreparedRun; opened: OpenedStore; history?: Promise<Durations> }> {
  if (!early?.config) {
    // The config is known only once listed: `--changed` opens the store then, for its bases.
    let opening: Promise<OpenedStore> | undefined;
    const runsFor = async (config: ResolvedConfig) => (await (opening ??= openStore(config.store))).store;
    try {
      const prepared = await prepareRun(flags, { ...io, runsFor }, early?.listed);
      return { prepared, opened: await (opening ?? openStore(prepared.config.store)) };
    } catch (error) {
      await opening?.then(({ store }) => store.close()).catch(() => undefined);
      throw error;
    }
  }
  const { config, warm } = early;
  const opening = openStore(config.store);
  const history = opening.then(({ store }) => recentDurations(store));
  history.then((durations) => warmSideBySide(flags, config, durations, warm)).catch(() => undefined);
  try {
    const runsFor = async () => (await opening).store;
    const prepared = await prepareRun(flags, { ...io, runsFor }, early.listed);
    return { prepared, opened: await opening, history };
  } catch (error) {
    await opening.then(({ store }) => store.close()).catch(() => undefined);
    throw error;
  }
}

/**
 * With recorded durations, local processes side by side are likely (run/run-units.ts): a warm
 * process for each starts now, so that the second loads while the suite is listed, not once the
 * run is planned. A first run, whose one process is warm already, starts no more.
 */
function warmSideBySide(flags: SessionRequest, config: ResolvedConfig, durations: Durations, warm?: WarmPool) {
  const workers = flags.workers ?? config.executors.local.workers;
  if (!warm || !durations.size || config.executors.local.sideBySide === false || workers === 1) return;
  if (executorNames(flags).includes('local')) warm.fill(workers || 2);
}

/** Runs a new run (or finishes a resumed one) to its end and returns its summary. */
export async function runSession(
  flags: SessionRequest,
  io: SessionIO,
  { early, serve }: SessionOptions = {},
): Promise<RunSummary> {
  if (flags.resume) checkResume(flags);
  const human = flags.json ? io.stderr : io.stdout;
  const say = (line: string) => human.write(line + '\n');
  const { prepared, opened, history } = await prepareBesideStore(flags, io, early);
  for (const notice of prepared.notices) say(`uigate: ${notice}`);
  const { store, endpoint, key } = opened;
  let lifecycle: RunLifecycle | undefined;
  let site: SiteDuringRun | undefined;
  let workDir: string | undefined;
  let lastWords: (() => void) | undefined;
  try {
    const begun = flags.resume
      ? await reopen(store, flags.resume, prepared, say)
      : await begin(store, flags, prepared, io, say);
    if ('done' in begun) return begun.done;
    const started = (lifecycle = begun.lifecycle);
    const lastDispatch = lastDispatchOf(begun.firstDispatch, prepared);
    const reason = 'cancelled by the user (Ctrl-C twice)';
    lastWords = onForcedExit(() => started.finish({ cancelled: true, reason, lastDispatch }));
    workDir = join(prepared.config.home, 'runs', lifecycle.runId);
    site = await serve?.(store, prepared.config, human);
    const session: Session = {
      runId: lifecycle.runId,
      flags,
      io,
      cwd: io.cwd,
      signal: io.signal,
      prepared,
      store,
      storeAccess: { endpoint, key },
      lifecycle,
      units: begun.units,
      workDir,
      say,
      site,
      firstDispatch: begun.firstDispatch,
      warm: early?.warm,
      history,
    };
    say(begun.announce(site?.runUrl(lifecycle.runId)));
    const summary = flags.resume ? await execute(session) : await withNotifications(session, () => execute(session));
    await expireOld(store, prepared.config, say);
    if (site?.closedLine) say(site.closedLine(lifecycle.runId));
    return summary;
  } catch (error) {
    // Never leave a run `running` behind: whatever stopped us, the run says so.
    await lifecycle?.abandon(error);
    throw error;
  } finally {
    lastWords?.();
    await site?.close();
    await store.close();
    if (workDir && !io.env[ENV.keepWorkdir]) await rm(workDir, { recursive: true, force: true });
  }
}

function checkResume(flags: SessionRequest) {
  parseRunId(flags.resume!, '--resume');
  if (flags.module?.length || flags.project?.length || flags.grep || flags.grepInvert || flags.rerunFailed) {
    throw new UsageError(
      '--resume finishes the run as it was planned: leave out --module, --project, --grep, --grep-invert and --rerun-failed',
    );
  }
}

type Begun =
  | { lifecycle: RunLifecycle; units: PreparedRun['units']; firstDispatch?: number; announce(url?: string): string }
  | { done: RunSummary };

/** Starts a new run: the selected units, or with --rerun-failed those of them that did not pass in that run. */
async function begin(
  store: ResultStore,
  flags: SessionRequest,
  prepared: PreparedRun,
  io: SessionIO,
  say: (line: string) => void,
): Promise<Begun> {
  let { units, selection } = prepared;
  if (flags.rerunFailed) {
    const rerun = await unitsToRerun(store, flags.rerunFailed, units, prepared.listing.projects);
    for (const notice of rerun.notices) say(`uigate: ${notice}`);
    ({ units } = rerun);
    selection = { ...selection, rerunOf: rerun.runId };
  }
  const runId = newRunId();
  const meta = {
    runId,
    trigger: flags.trigger ?? ciFacts(io.env)?.name ?? 'uigate run',
    ...prepared.commit,
    baseURL: flags.baseUrl,
    ...(selection ? { selection } : {}),
    executors: prepared.executors,
  };
  // A new id: nothing else can have written to it.
  const lifecycle = await RunLifecycle.start(store, meta, units, { fresh: true });
  return { lifecycle, units, announce: (url) => `uigate run ${runId}${url ? `: ${url}` : ''}` };
}

/**
 * `--resume <runId>`: a run whose orchestrator died keeps every result it recorded; the pieces
 * with a unit still queued or running are planned again and dispatched above every earlier try, so
 * nothing runs twice into the record and nothing is dropped.
 */
async function reopen(
  store: ResultStore,
  runId: string,
  prepared: PreparedRun,
  say: (line: string) => void,
): Promise<Begun> {
  const run = await store.getRun(runId);
  if (!run) throw new UsageError(`no run ${runId} in the store to resume`);
  const all = await store.getUnits(runId);
  const open = openPieces(all, prepared.listing.projects);
  if (open.length === 0) {
    say(`run ${runId} has a final result for every unit (${run.status}); nothing to resume`);
    return { done: buildSummary(run.status === 'running' ? { ...run, status: runStatusOf(all) } : run, all) };
  }
  const firstDispatch = Math.max(0, ...all.map((unit) => dispatchOf(unit.seq))) + 1;
  const lifecycle = await RunLifecycle.reopen(
    store,
    run,
    { open: open.length, kept: all.length - open.length, firstDispatch },
    'uigate run --resume',
  );
  const finished = new Set(all.filter((unit) => isFinal(unit.status)).map((unit) => unit.key));
  const again = open.filter((unit) => finished.has(unit.key) && unit.role !== 'dependency').length;
  const alsoAgain = again
    ? ` (${again} already finished, again with ${again === 1 ? 'its group' : 'their groups'})`
    : '';
  return {
    lifecycle,
    units: open,
    firstDispatch,
    announce: (url) =>
      `uigate run --resume ${runId}: ${all.length - open.length} results kept, ${open.length} unit(s) to run${alsoAgain}${url ? ` — ${url}` : ''}`,
  };
}

/** In a pipeline, when its execution should be done: the run's expected end, then the later stages' medians. */
async function pipelineFinish(
  store: ResultStore,
  run: RunMeta,
  runFinishAt: string | undefined,
): Promise<string | undefined> {
  const log = 'pipelineLog' in store ? (store as DynamoStore).pipelineLog() : undefined;
  if (!log || !run.pipelineName || !runFinishAt) return undefined;
  return pipelineFinishAfterRun(runFinishAt, await log.history(run.pipelineName, HISTORY_RUNS).catch(() => []));
}

/** Sends the started and finished (or failed) notifications around a run, to the terminal and SNS. */
async function withNotifications(session: Session, body: () => Promise<RunSummary>): Promise<RunSummary> {
  const { store, prepared, lifecycle, site } = session;
  const notifier = createNotifier(prepared.config, session.flags.json ? session.io.stderr : session.io.stdout);
  const link = runLink(prepared.config, lifecycle.runId, site?.url);
  const started = (await store.getRun(lifecycle.runId))!;
  const history = (await store.listRuns({ limit: HISTORY_RUNS * 3 })).items;
  const expectedFinishAt = expectedFinish(started, history);
  await notifier.notify({
    kind: 'run-started',
    run: started,
    link,
    expectedFinishAt,
    pipelineFinishAt: await pipelineFinish(store, started, expectedFinishAt),
  });
  const summary = await body();
  const run = (await store.getRun(lifecycle.runId))!;
  await notifier.notify({
    kind: run.status === 'passed' ? 'run-finished' : 'run-failed',
    run,
    link,
    reason: run.reason ?? failureReason(summary),
  });
  return summary;
}

/** Dispatches the session's units, ends the run, and tells how it went. */
async function execute(session: Session): Promise<RunSummary> {
  const { io, flags, prepared } = session;
  const progress = new Progress(flags.json ? io.stderr : io.stdout, session.units, {
    live: io.tty,
    color: wantsColor(io.env, io.tty),
  });
  const result = await runUnits(session, {
    units: session.units,
    firstDispatch: session.firstDispatch,
    history: session.history,
    events: { say: session.say, unit: (record) => progress.unit(record), note: (line) => progress.note(line) },
  }).finally(() => progress.stop());
  const cancelled = io.signal.aborted;
  const reason = cancelled
    ? 'cancelled by the user'
    : result.errored.size
      ? `${result.errored.size} unit(s) could not be run`
      : undefined;
  const lastDispatch = lastDispatchOf(session.firstDispatch, prepared);
  const { run, units } = await session.lifecycle.finish({
    cancelled,
    reason,
    lastDispatch,
    stoppedEarly: result.stoppedEarly,
  });
  return report(session, run, units);
}

/** Playwright's HTML report of the whole run, merged from its batches' blobs; the run page links it. */
async function playwrightReport(session: Session, runId: string) {
  const { io, prepared, say } = session;
  const merged = await keepHtmlReport(prepared.config.artifacts, {
    cwd: io.cwd,
    playwrightConfig: prepared.config.playwrightConfig,
    runId,
    workDir: session.workDir,
    warm: session.warm,
  });
  // The blobs are gathered in the work folder now: the project's own reporters replay them once.
  const user = await runUserReporters({
    cwd: io.cwd,
    playwrightConfig: prepared.config.playwrightConfig,
    blobs: join(session.workDir, 'blobs'),
    env: io.env,
  });
  if (user.error) say(`  (the project's own reporters could not run over the whole run: ${user.error})`);
  if (merged.key) {
    await session.store.updateRun(runId, { htmlReport: merged.key }).catch(() => undefined);
    const where = session.site
      ? `${session.site.url}/reports/${runId}/`
      : `npx playwright show-report ${join(prepared.config.artifacts.dir, runId, 'report')}`;
    say(`  Playwright report${merged.reports > 1 ? ` (${merged.reports} batches merged)` : ''}: ${where}`);
  } else if (merged.error) say(`  (no Playwright HTML report: merge-reports failed: ${merged.error})`);
}

/** Reports the end of a run on the terminal and in files: snapshot, changes, JUnit, exports, the matrix. */
async function report(session: Session, run: RunMeta, units: UnitRecord[]): Promise<RunSummary> {
  const { io, flags, prepared, say } = session;
  const since = await recordSinceRelease(session.store, io.cwd, prepared.config, run);
  if (since) say(`  ${describeSinceRelease(since)}`);
  const notKept = await keepRunSnapshot(
    prepared.config.artifacts,
    since ? { ...run, sinceRelease: since } : run,
    units,
  );
  if (notKept) say(`  (the status site will read this run unit by unit: its snapshot was not written: ${notKept})`);
  await playwrightReport(session, run.runId);
  const summary = buildSummary(run, units, session.site?.runUrl(run.runId));
  // Did this run break something, or was it broken? Asked of the last full run on the branch.
  const changes = await changesSince(session.store, run, units).catch(() => NO_CHANGES);
  if (changes.baseline)
    summary.changes = {
      since: changes.baseline.runId,
      newFailures: changes.newFailures,
      stillFailing: changes.stillFailing,
      fixed: changes.fixed,
      firstFailures: changes.firstFailures,
    };
  if (flags.junit) await writeOut(io.cwd, flags.junit, toJUnit(run, units));
  if (flags.export) {
    const link = runLink(prepared.config, run.runId, session.site?.url);
    await writeOut(
      io.cwd,
      flags.export,
      formatExports(
        { ...summary, url: link ?? summary.url },
        { [ENV.artifactDigest]: run.artifactDigest, [ENV.pipelineExecutionId]: run.pipelineExecutionId },
      ),
    );
  }
  say('');
  say(formatMatrix(summary));
  say('');
  if (changes.baseline) say(describeChanges(changes, units, run.branch));
  const counts = Object.entries(summary.counts).map(([status, n]) => `${n} ${status}`);
  say(
    `${run.status.toUpperCase()}: ${summary.total} units: ${counts.join(', ')} in ${((run.durationMs ?? 0) / 1000).toFixed(1)}s — run ${run.runId}`,
  );
  return summary;
}

async function writeOut(cwd: string, file: string, text: string) {
  await mkdir(dirname(resolve(cwd, file)), { recursive: true });
  await writeFile(resolve(cwd, file), text);
}

/** Applies `store.retentionDays` to the embedded store, once a day: it keeps everything unless told. */
async function expireOld(store: DynamoStore, config: ResolvedConfig, say: (line: string) => void): Promise<void> {
  try {
    const line = describeExpired(
      await expireLocally(store, config.store, config.artifacts.dir),
      config.store.retentionDays,
    );
    if (line) say(line);
  } catch (error) {
    say(`uigate: could not delete expired results (store.retentionDays): ${(error as Error).message}`);
  }
}

/** Names the first failures, for a message that says what broke without opening the run. */
function failureReason(summary: RunSummary): string | undefined {
  const failed = summary.failures;
  if (!failed.length) return undefined;
  const first = failed
    .slice(0, 3)
    .map((unit) => `[${unit.project}] ${unit.title}`)
    .join('; ');
  return `${failed.length} failed: ${first}${failed.length > 3 ? '; …' : ''}`;
}

/** The highest dispatch try this session can start: its first, then one per infrastructure retry. */
const lastDispatchOf = (firstDispatch: number | undefined, prepared: PreparedRun) =>
  (firstDispatch ?? 1) + prepared.config.dispatch.infraRetries;
