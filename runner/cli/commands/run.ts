// `uigate run`: plan the units, record them as queued, dispatch batches, show progress, and end
// with the module × browser summary. Exit 0 only when every selected unit passed. `--resume`
// finishes a run whose orchestrator died; `--rerun-failed` runs again what did not pass. All three
// are one run lifecycle (run/lifecycle.ts) around one dispatch (run/run-units.ts).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { keepRunSnapshot } from '../../artifacts/run-snapshot.ts';
import { keepHtmlReport } from '../../report/html-report.ts';
import type { ResolvedConfig } from '../../config/config.ts';
import { exitFor, UsageError } from '../../core/errors.ts';
import { newRunId, parseRunId } from '../../core/model.ts';
import { isFinal, runStatusOf } from '../../core/statuses.ts';
import { createNotifier, runLink } from '../../notify/from-config.ts';
import { openPieces, unitsToRerun } from '../../plan/rerun.ts';
import { changesSince, describeChanges, NO_CHANGES } from '../../report/changes.ts';
import { toJUnit } from '../../report/junit.ts';
import { buildSummary, formatExports, formatMatrix, type RunSummary } from '../../report/summary.ts';
import { RunLifecycle } from '../../store/run-lifecycle.ts';
import { onForcedExit } from '../forced-exit.ts';
import { prepareRun, type PreparedRun, type RunRequest } from '../../run/prepare.ts';
import type { ListedSelection } from '../../run/list-selection.ts';
import type { WarmPool } from '../../playwright/warm-start.ts';
import { runUnits } from '../../run/run-units.ts';
import type { DynamoStore } from '../../store/dynamo-store.ts';
import { describeExpired, expireLocally } from '../../store/expiry.ts';
import { openStore, type OpenedStore } from '../../store/open-store.ts';
import { recentDurations, type Durations } from '../../plan/history.ts';
import { executorNames } from '../../executors/names.ts';
import type { ResultStore } from '../../store/result-store.ts';
import type { StoreAccess } from '../../store/store-address.ts';
import type { StatusServer } from '../../../status-site/hosting/server.ts';
import type { CommandIO } from '../io.ts';
import { Progress } from '../progress.ts';
import { DEFAULT_PORT } from '../ports.ts';
import { ENV } from '../../core/env.ts';
import { dispatchOf } from '../../core/seq.ts';

export interface RunFlags extends RunRequest {
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

/** What the CLI started before loading this module, so that it happens while the module loads. */
export interface EarlyStart {
  /** uigate's config, loaded before the listing started. */
  config?: ResolvedConfig;
  /** Playwright's listing of the suite. */
  listed?: Promise<ListedSelection>;
  /** Warm Playwright processes for local batches and merge-reports (playwright/warm-start.ts). */
  warm?: WarmPool;
}

export async function runCommand(flags: RunFlags, io: CommandIO, early?: EarlyStart): Promise<number> {
  const summary = await runToSummary(flags, io, early);
  if (flags.json) io.stdout.write(JSON.stringify(summary) + '\n');
  return exitFor(summary.status);
}

/** What a run session has once the run exists: the store, its lifecycle, the units it runs now. */
interface Session {
  flags: RunFlags;
  io: CommandIO;
  prepared: PreparedRun;
  store: DynamoStore;
  storeAccess: StoreAccess;
  lifecycle: RunLifecycle;
  units: PreparedRun['units'];
  workDir: string;
  say(line: string): void;
  url?: string;
  /** The dispatch try to start from (a resumed run: above every earlier one). */
  firstDispatch?: number;
  warm?: WarmPool;
  /** Earlier runs' durations, when read while the suite was listed. */
  history?: Promise<Durations>;
}

/**
 * The store opens, and earlier runs' durations are read from it, while Playwright lists the suite:
 * neither needs the listing, and reading a few big runs back takes a second or more. A listing
 * that refuses the run closes the store again.
 */
async function prepareBesideStore(
  flags: RunFlags,
  io: CommandIO,
  early: EarlyStart | undefined,
): Promise<{ prepared: PreparedRun; opened: OpenedStore; history?: Promise<Durations> }> {
  if (!early?.config) {
    const prepared = await prepareRun(flags, io, early?.listed);
    return { prepared, opened: await openStore(prepared.config.store) };
  }
  const { config, warm } = early;
  const opening = openStore(config.store);
  const history = opening.then(({ store }) => recentDurations(store));
  history.then((durations) => warmSideBySide(flags, config, durations, warm)).catch(() => undefined);
  try {
    const prepared = await prepareRun(flags, io, early.listed);
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
function warmSideBySide(flags: RunFlags, config: ResolvedConfig, durations: Durations, warm?: WarmPool) {
  const workers = flags.workers ?? config.executors.local.workers;
  if (!warm || !durations.size || config.executors.local.sideBySide === false || workers === 1) return;
  if (executorNames(flags).includes('local')) warm.fill(workers || 2);
}

/** A run (or a resumed one) to its end, as the summary: for callers that act on it (verify, pipeline). */
export async function runToSummary(flags: RunFlags, io: CommandIO, early?: EarlyStart): Promise<RunSummary> {
  if (flags.resume) checkResume(flags);
  const human = flags.json ? io.stderr : io.stdout;
  const say = (line: string) => human.write(line + '\n');
  const { prepared, opened, history } = await prepareBesideStore(flags, io, early);
  for (const notice of prepared.notices) say(`uigate: ${notice}`);
  const { store, endpoint, key } = opened;
  let lifecycle: RunLifecycle | undefined;
  let site: StatusServer | undefined;
  let workDir: string | undefined;
  let lastWords: (() => void) | undefined;
  try {
    const begun = flags.resume
      ? await reopen(store, flags.resume, prepared, say)
      : await begin(store, flags, prepared, io, say);
    if ('done' in begun) return begun.done;
    ({ lifecycle } = begun);
    const begunLifecycle = lifecycle;
    const lastDispatch = lastDispatchOf(begun.firstDispatch, prepared);
    lastWords = onForcedExit(() =>
      begunLifecycle.finish({ cancelled: true, reason: 'cancelled by the user (Ctrl-C twice)', lastDispatch }),
    );
    workDir = join(prepared.config.home, 'runs', lifecycle.runId);
    site = flags.serve === false ? undefined : await serveDuringRun(store, prepared.config, human, flags.port);
    const session: Session = {
      flags,
      io,
      prepared,
      store,
      storeAccess: { endpoint, key },
      lifecycle,
      units: begun.units,
      workDir,
      say,
      url: site?.runUrl(lifecycle.runId),
      firstDispatch: begun.firstDispatch,
      warm: early?.warm,
      history,
    };
    say(begun.announce(site?.runUrl(lifecycle.runId)));
    const summary = flags.resume
      ? await execute(session)
      : await withNotifications(session, site, () => execute(session));
    await expireOld(store, prepared.config, say);
    if (site) say(servedAgain(site, lifecycle.runId));
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

function checkResume(flags: RunFlags) {
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

/** A new run: the selected units, or with --rerun-failed those of them that did not pass in that run. */
async function begin(
  store: ResultStore,
  flags: RunFlags,
  prepared: PreparedRun,
  io: CommandIO,
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
    trigger: flags.trigger ?? (io.env.CI ? 'ci' : 'uigate run'),
    ...prepared.source,
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

/** Started and finished (or failed) notifications around a run, to the terminal and SNS. */
async function withNotifications(
  session: Session,
  site: StatusServer | undefined,
  body: () => Promise<RunSummary>,
): Promise<RunSummary> {
  const { store, prepared, lifecycle } = session;
  const notifier = createNotifier(prepared.config, session.flags.json ? session.io.stderr : session.io.stdout);
  const link = runLink(prepared.config, lifecycle.runId, site?.url);
  await notifier.notify({ kind: 'run-started', run: (await store.getRun(lifecycle.runId))!, link });
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
    color: io.tty && !io.env.NO_COLOR,
  });
  const result = await runUnits({
    runId: session.lifecycle.runId,
    units: session.units,
    store: session.store,
    storeAccess: session.storeAccess,
    config: prepared.config,
    flags,
    names: prepared.executors,
    local: prepared.local,
    listing: prepared.listing,
    browserOf: prepared.browserOf,
    cwd: io.cwd,
    sourceVersion: prepared.source.commit,
    workDir: session.workDir,
    signal: io.signal,
    firstDispatch: session.firstDispatch,
    warm: session.warm,
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
  const { run, units } = await session.lifecycle.finish({ cancelled, reason, lastDispatch });
  return report(session, run, units);
}

/** Playwright's HTML report of the whole run, merged from its batches' blobs; the run page links it. */
async function playwrightReport(session: Session, runId: string) {
  const { io, prepared, say } = session;
  const merged = await keepHtmlReport(prepared.config.artifacts, {
    cwd: io.cwd,
    runId,
    workDir: session.workDir,
    warm: session.warm,
  });
  if (merged.key) {
    await session.store.updateRun(runId, { htmlReport: merged.key }).catch(() => undefined);
    const where = session.url
      ? `${session.url.replace(/\/runs\/.*$/, '')}/reports/${runId}/`
      : `npx playwright show-report ${join(prepared.config.artifacts.dir, runId, 'report')}`;
    say(`  Playwright report${merged.reports > 1 ? ` (${merged.reports} batches merged)` : ''}: ${where}`);
  } else if (merged.error) say(`  (no Playwright HTML report: merge-reports failed: ${merged.error})`);
}

/** The end of a run on the terminal and in files: snapshot, changes, JUnit, exports, the matrix. */
async function report(
  session: Session,
  run: Awaited<ReturnType<RunLifecycle['finish']>>['run'],
  units: Awaited<ReturnType<RunLifecycle['finish']>>['units'],
): Promise<RunSummary> {
  const { io, flags, prepared, say } = session;
  const notKept = await keepRunSnapshot(prepared.config.artifacts, run, units);
  if (notKept) say(`  (the status site will read this run unit by unit: its snapshot was not written: ${notKept})`);
  await playwrightReport(session, run.runId);
  const summary = buildSummary(run, units, session.url);
  // Did this run break something, or was it broken? Asked of the last full run on the branch.
  const changes = await changesSince(session.store, run, units).catch(() => NO_CHANGES);
  if (changes.baseline)
    summary.changes = {
      since: changes.baseline.runId,
      newFailures: changes.newFailures,
      stillFailing: changes.stillFailing,
      fixed: changes.fixed,
    };
  if (flags.junit) await writeOut(io.cwd, flags.junit, toJUnit(run, units));
  if (flags.export) {
    const link = runLink(prepared.config, run.runId, session.url?.replace(/\/runs\/.*$/, ''));
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

/** The embedded store keeps everything unless told: `store.retentionDays` is applied here, once a day. */
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

/** The run's links point at a site that closes with the run: say how to open it again. */
function servedAgain(site: StatusServer, runId: string): string {
  const port = Number(new URL(site.url).port);
  return `the status site closed with the run; \`npx uigate serve${port === DEFAULT_PORT ? '' : ` --port ${port}`}\` serves it again at ${site.runUrl(runId)}`;
}

/** The status site for the run's duration: on the usual port, or any free one if that is taken. */
async function serveDuringRun(
  store: ResultStore,
  config: ResolvedConfig,
  terminal: Writable,
  port = DEFAULT_PORT,
): Promise<StatusServer> {
  let url: string | undefined;
  // The site's modules load only when it is served: `--no-serve` (CI) does not pay for them.
  const [{ localApprovals }, { artifactsOf, startStatusServer }] = await Promise.all([
    import('../../../status-site/access/approvers.ts'),
    import('../../../status-site/hosting/server.ts'),
  ]);
  const options = { store, ...artifactsOf(config.artifacts), approvals: localApprovals(config, terminal, () => url) };
  const server = await startStatusServer({ ...options, port }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' || port === 0) throw error;
    return startStatusServer({ ...options, port: 0 });
  });
  url = server.url;
  return server;
}

/** The first failures, for a message that says what broke without opening the run. */
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
