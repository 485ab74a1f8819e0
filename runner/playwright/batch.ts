// Runs Playwright Test for exactly a batch of units (--test-list) with the uigate reporter
// attached, and follows its events on fd 3. Used by the local executor, the Lambda handler and
// the CodeBuild worker: the one place uigate starts Playwright for a batch.
import { trackGroup, untrackGroup } from './process-groups.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { childEnv, type ChildContext, type ReporterEvent } from './child-env.ts';
import type { UnitOutcome, UnitRecord, UnitRef } from '../core/model.ts';
import { testListLine } from './pieces.ts';
import { playwrightCli } from './cli-path.ts';
import { siblingModule } from './module-path.ts';
import { isFinal } from '../core/statuses.ts';
import { artifactStoreFromEnv } from '../artifacts/from-env.ts';
import { blobKey } from '../artifacts/report-keys.ts';
import type { WarmPool } from './warm-start.ts';

export const REPORTER_PATH = siblingModule(import.meta.url, 'reporter');
const EVENTS_FD = 3;
/** After asking Playwright to stop, how long it gets to close its browsers before it is killed. */
const GRACE_MS = 10_000;

export interface PlaywrightBatchOptions {
  cwd: string;
  playwrightConfig: string;
  units: readonly UnitRef[];
  /** Folder for the test list and Playwright's output. */
  workDir: string;
  context: Omit<ChildContext, 'eventsFd'>;
  env?: Record<string, string>;
  args?: string[];
  reporter?: string;
  /** Playwright workers in this process (--workers). @default 1 */
  workers?: number;
  /** Node binary and arguments before Playwright's CLI (defaults to this Node). */
  node?: string[];
  /**
   * Start Playwright in a process group of its own (default), so stopping it stops its workers
   * and browsers too. Off inside a Lambda execution environment, where the environment's group is
   * what gets killed.
   */
  ownGroup?: boolean;
  /**
   * Also write Playwright's HTML report here, in the same process: for a batch that is likely the
   * run's only one, the run's report without a merge-reports process at the end (report/html-report.ts).
   */
  htmlReport?: string;
  /** Warm Playwright processes to take one from, instead of starting Node and Playwright now. */
  warm?: Pick<WarmPool, 'take'>;
  signal: AbortSignal;
  onUnit(record: UnitRecord): void;
}

export interface PlaywrightBatchResult {
  outcomes: UnitOutcome[];
  /** The reporter reached onEnd: Playwright finished, whatever the tests did. */
  ended: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines Playwright printed, to explain a crash. */
  diagnostics: string;
  reporterError?: string;
  pid?: number;
  /** Where its blob report went in the artifacts (`<runId>/blobs/…`), for the run's HTML report. */
  blob?: string;
}

function tail(stream: Readable | null, limit = 4_000) {
  let text = '';
  stream?.setEncoding('utf8').on('data', (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text.trim();
}

function signalGroup(child: ChildProcess, name: NodeJS.Signals, ownGroup: boolean) {
  try {
    // The whole group: Playwright's workers and the browsers they launched.
    if (ownGroup && child.pid) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // already gone
  }
}

/** Writes the --test-list file: a line per test, not per repeat (one line selects a test in every repeat). */
async function writeTestList(options: PlaywrightBatchOptions): Promise<string> {
  await mkdir(options.workDir, { recursive: true });
  const file = join(options.workDir, 'test-list.txt');
  // Dependency units have no line: Playwright runs setup and teardown projects in full by itself.
  const lines = new Set(options.units.filter((unit) => unit.role !== 'dependency').map(testListLine));
  await writeFile(file, [...lines].join('\n') + '\n');
  return file;
}

/** Follows the reporter's events: each unit's latest state, which the store has, and how Playwright ended. */
function followEvents(input: Readable, onUnit: (record: UnitRecord) => void) {
  const followed = {
    finals: new Map<string, UnitOutcome>(),
    ended: false,
    reporterError: undefined as string | undefined,
  };
  createInterface({ input }).on('line', (line) => {
    let event: ReporterEvent;
    try {
      event = JSON.parse(line) as ReporterEvent;
    } catch {
      return;
    }
    if (event.type === 'unit') {
      if (isFinal(event.record.status)) followed.finals.set(event.record.key, { record: event.record, stored: false });
      onUnit(event.record);
    } else if (event.type === 'stored') {
      const outcome = followed.finals.get(event.key);
      if (outcome?.record.seq === event.seq) outcome.stored = true;
    } else if (event.type === 'end') followed.ended = true;
    else if (event.type === 'error') followed.reporterError = event.message;
  });
  return followed;
}

export async function runPlaywrightBatch(options: PlaywrightBatchOptions): Promise<PlaywrightBatchResult> {
  const listFile = await writeTestList(options);
  const [node, ...nodeArgs] = options.node ?? [process.execPath];
  // Playwright's own blob report beside uigate's reporter: merged at the run's end into one HTML
  // report (report/html-report.ts), the report users know.
  const blobFile = join(options.workDir, 'blob.zip');
  const playwrightArgs = [
    ...['test', '--config', options.playwrightConfig, '--test-list', listFile],
    ...['--reporter', `${options.reporter ?? REPORTER_PATH},blob${options.htmlReport ? ',html' : ''}`],
    ...['--workers', String(options.workers ?? 1)],
    ...['--output', join(options.workDir, 'test-results'), ...(options.args ?? [])],
  ];
  const batchEnv: Record<string, string> = {
    ...options.env,
    ...childEnv({ ...options.context, eventsFd: EVENTS_FD }),
    PLAYWRIGHT_BLOB_OUTPUT_FILE: blobFile,
    ...(options.htmlReport ? { PLAYWRIGHT_HTML_OUTPUT_DIR: options.htmlReport, PLAYWRIGHT_HTML_OPEN: 'never' } : {}),
  };
  const env: NodeJS.ProcessEnv = { ...process.env, ...batchEnv };
  const ownGroup = options.ownGroup ?? true;
  // A warm process is this Node, in a group of its own: not for a batch that asks otherwise.
  const warm = options.node || !ownGroup ? undefined : options.warm?.take(options.cwd);
  const child =
    warm && warm.hand(playwrightArgs, batchEnv)
      ? warm.child
      : spawn(node!, [...nodeArgs, playwrightCli(options.cwd), ...playwrightArgs], {
          cwd: options.cwd,
          env,
          detached: ownGroup,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        });
  if (ownGroup) trackGroup(child.pid);
  const output = tail(child.stdout);
  const errors = tail(child.stderr);
  const followed = followEvents(child.stdio[EVENTS_FD] as Readable, options.onUnit);
  const onAbort = () => {
    signalGroup(child, 'SIGINT', ownGroup);
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL', ownGroup), GRACE_MS);
    child.once('exit', () => clearTimeout(timer));
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((ok) => {
    child.once('error', () => ok([null, null]));
    child.once('close', (c, s) => ok([c, s]));
  });
  options.signal.removeEventListener('abort', onAbort);
  // Whatever a dead Playwright left in its group (a worker, a browser) goes with it.
  if (ownGroup) signalGroup(child, 'SIGKILL', ownGroup);
  untrackGroup(child.pid);
  const said = (errors() || output()).split('\n').filter(Boolean).slice(-3).join(' | ');
  return {
    outcomes: [...followed.finals.values()],
    ended: followed.ended,
    code,
    signal,
    diagnostics: said,
    reporterError: followed.reporterError,
    pid: child.pid,
    blob: followed.ended ? await keepBlob(blobFile, options.context, env) : undefined,
  };
}

/**
 * Puts the batch's blob report where its artifacts go (a folder, or S3 from Lambda and
 * CodeBuild). A report that cannot be kept costs the HTML report this batch, never the results.
 */
async function keepBlob(file: string, context: PlaywrightBatchOptions['context'], env: NodeJS.ProcessEnv) {
  const artifacts = artifactStoreFromEnv(env, context.artifactsDir);
  if (!artifacts) return undefined;
  try {
    const key = blobKey(context.runId, context.executorRef, context.dispatchTry);
    await artifacts.putObject(key, await readFile(file), 'application/zip');
    await rm(file, { force: true });
    return key;
  } catch {
    return undefined;
  } finally {
    artifacts.close?.();
  }
}

/** Says in one line why a Playwright process ended before finishing. */
export function describeCrash(result: PlaywrightBatchResult, what: string): string {
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  return `${what} ${how} before finishing${result.diagnostics ? `: ${result.diagnostics}` : ''}${result.reporterError ? ` (${result.reporterError})` : ''}`;
}
