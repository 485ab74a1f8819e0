// Runs a batch on this machine: one Playwright Test process for exactly the batch's units
// (--test-list), with the uigate reporter attached and streaming its events back on fd 3.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { childEnv, type ReporterEvent } from '../child-env.ts';
import { isFinal } from '../model.ts';
import { testListLine, type Batch } from '../plan.ts';
import { playwrightCli } from '../playwright-cli.ts';
import { BatchError, type BatchContext, type Executor, type UnitOutcome } from './executor.ts';

export const REPORTER_PATH = fileURLToPath(new URL('../reporter.ts', import.meta.url));
const EVENTS_FD = 3;
/** After asking Playwright to stop, how long it gets to close its browsers before it is killed. */
const GRACE_MS = 10_000;

export interface LocalExecutorOptions {
  cwd: string;
  playwrightConfig: string;
  /** Playwright processes at once. */
  capacity: number;
  /** Where batch files and Playwright's output go: `.uigate/runs/<runId>`. */
  workDir: string;
  store: { endpoint?: string; table: string; region: string };
  artifactsDir: string;
  /** Extra environment for the Playwright processes (BASE_URL, say). */
  env?: Record<string, string>;
  /** Extra Playwright CLI arguments (`--retries 1`, say). */
  args?: string[];
}

/** Keeps the last few KB a process printed, to explain a crash. */
function tail(stream: Readable | null, limit = 4_000) {
  let text = '';
  stream?.setEncoding('utf8').on('data', (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text.trim();
}

function stop(child: ChildProcess) {
  const signal = (name: NodeJS.Signals) => {
    try {
      // The whole group: Playwright's workers and the browsers they launched.
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), GRACE_MS);
  child.once('exit', () => clearTimeout(timer));
}

/** Whatever a dead Playwright left in its group (a worker, a browser) goes with it. */
function reap(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // nothing left
  }
}

export class LocalExecutor implements Executor {
  readonly name = 'local' as const;
  readonly capacity: number;

  constructor(private readonly options: LocalExecutorOptions) {
    this.capacity = Math.max(1, options.capacity);
  }

  supports(): boolean {
    return true;
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    const dir = join(this.options.workDir, `${batch.id}-d${context.dispatch}`);
    await mkdir(dir, { recursive: true });
    const listFile = join(dir, 'test-list.txt');
    await writeFile(listFile, batch.units.map(testListLine).join('\n') + '\n');
    const args = [
      playwrightCli(), 'test',
      '--config', this.options.playwrightConfig,
      '--test-list', listFile,
      '--reporter', REPORTER_PATH,
      '--workers', '1',
      '--output', join(dir, 'test-results'),
      ...(this.options.args ?? []),
    ];
    const env = {
      ...process.env,
      ...this.options.env,
      ...childEnv({
        runId: context.runId,
        executor: 'local',
        executorRef: batch.id,
        dispatch: context.dispatch,
        store: this.options.store,
        artifactsDir: this.options.artifactsDir,
        eventsFd: EVENTS_FD,
      }),
    };
    const child = spawn(process.execPath, args, { cwd: this.options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const output = tail(child.stdout);
    const errors = tail(child.stderr);
    const finals = new Map<string, UnitOutcome>();
    let ended = false;
    let reporterError: string | undefined;

    const events = createInterface({ input: child.stdio[EVENTS_FD] as Readable });
    events.on('line', (line) => {
      let event: ReporterEvent;
      try {
        event = JSON.parse(line) as ReporterEvent;
      } catch {
        return;
      }
      if (event.type === 'unit') {
        if (isFinal(event.record.status)) finals.set(event.record.key, { record: event.record, stored: false });
        context.onUnit(event.record);
      } else if (event.type === 'stored') {
        const outcome = finals.get(event.key);
        if (outcome?.record.seq === event.seq) outcome.stored = true;
      } else if (event.type === 'end') ended = true;
      else if (event.type === 'error') reporterError = event.message;
    });

    const onAbort = () => stop(child);
    context.signal.addEventListener('abort', onAbort, { once: true });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((ok) => {
      child.once('error', () => ok([null, null]));
      child.once('close', (c, s) => ok([c, s]));
    });
    context.signal.removeEventListener('abort', onAbort);
    reap(child);
    const results = [...finals.values()];

    if (context.signal.aborted) {
      const reason = context.signal.reason instanceof BatchError ? context.signal.reason : undefined;
      throw new BatchError(reason?.message ?? 'batch stopped', reason?.kind ?? 'cancelled', results, `pid ${child.pid}`);
    }
    if (!ended) {
      const said = (errors() || output()).split('\n').filter(Boolean).slice(-3).join(' | ');
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      throw new BatchError(`Playwright process for ${batch.id} ${how} before finishing${said ? `: ${said}` : ''}${reporterError ? ` (${reporterError})` : ''}`, 'crashed', results, `pid ${child.pid}`);
    }
    return results;
  }
}
