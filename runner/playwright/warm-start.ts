// Playwright processes started before their work is known. Node and Playwright's CLI take about a
// second to load here: a warm process loads them while the suite is listed (or while the last
// batch runs, for merge-reports), then waits for its arguments. Anything that keeps one from
// starting leaves the caller to start Playwright cold — never a lost batch.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { trackGroup, untrackGroup } from './process-groups.ts';
import { playwrightCli } from './cli-path.ts';
import { siblingModule } from './module-path.ts';

/**
 * Loads Playwright's CLI program (the module @playwright/test's own cli.js runs) and the modules
 * named after it, then reads one line from stdin — `{ argv, env }` — and runs it as
 * `playwright <argv>` would. Evaluated with `node -e`: Node leaves `-e` out of the execArgv of
 * processes forked from it, so Playwright's workers start as usual. An end of stdin before the
 * line (uigate no longer needs it) exits.
 */
const LAUNCHER = `const { program } = require(process.argv[1]);
const { pathToFileURL } = require('node:url');
const preloaded = Promise.all(process.argv.slice(2).map((file) => import(pathToFileURL(file).href).catch(() => undefined)));
let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('end', () => { if (!text.includes('\\n')) process.exit(0); });
process.stdin.on('data', (chunk) => {
  text += chunk;
  const end = text.indexOf('\\n');
  if (end < 0) return;
  process.stdin.removeAllListeners('data');
  process.stdin.destroy();
  const { argv, env } = JSON.parse(text.slice(0, end));
  Object.assign(process.env, env);
  process.argv = argv;
  void preloaded.then(() => program.parse(argv));
});`;

/**
 * uigate's reporter, compiled: Playwright imports it by URL before its workers start, and its
 * imports (the store's SDK client among them) take about 0.2 s here. Imported while the process
 * waits, Playwright's import finds it loaded. It reads the batch's environment only when
 * Playwright constructs it. Not from sources: a `.ts` import fails without a loader, and a failed
 * import could stay failed for Playwright's own attempt.
 */
const REPORTER = siblingModule(import.meta.url, 'reporter');
const preloads = (): string[] => (REPORTER.endsWith('.js') ? [REPORTER] : []);

/** Where @playwright/test's cli.js finds Playwright's program; undefined when this layout is not there. */
export function programModule(cwd: string): string | undefined {
  try {
    return createRequire(playwrightCli(cwd)).resolve('playwright/lib/program');
  } catch {
    return undefined;
  }
}

export interface WarmPlaywright {
  readonly child: ChildProcess;
  /**
   * Runs `playwright <args>` in it, with `env` over this process's environment (what it started
   * with); false when it is gone, and the caller starts one cold.
   */
  hand(args: readonly string[], env: Readonly<Record<string, string>>): boolean;
  discard(): void;
}

/**
 * A process group of its own, as a cold batch has (playwright/batch.ts), with the same four pipes:
 * stdin for its arguments, stdout and stderr, and fd 3 for the reporter's events.
 */
function startWarm(cwd: string, program: string): WarmPlaywright | undefined {
  const child = spawn(process.execPath, ['-e', LAUNCHER, program, ...preloads()], {
    cwd,
    env: process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  if (!child.pid) return undefined;
  trackGroup(child.pid);
  child.once('error', () => undefined);
  child.stdin!.once('error', () => undefined);
  // Once handed a batch, the group is the batch's to untrack (playwright/batch.ts), after it has
  // killed what is left in it: Playwright may exit on Ctrl-C before its workers do, and a second
  // Ctrl-C in that moment must still find the group to kill.
  let handed = false;
  child.once('exit', () => handed || untrackGroup(child.pid));
  const gone = () => child.exitCode !== null || child.signalCode !== null || !child.stdin!.writable;
  return {
    child,
    hand(args, env) {
      if (gone()) return false;
      handed = true;
      child.stdin!.end(JSON.stringify({ argv: [process.execPath, playwrightCli(cwd), ...args], env }) + '\n');
      return true;
    },
    discard() {
      if (gone()) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      untrackGroup(child.pid);
    },
  };
}

/**
 * The warm processes of one `uigate run`, for its local batches and its merge-reports: `start`
 * and `fill` begin them, `take` hands out one still alive, `close` ends those left unused.
 */
export class WarmPool {
  private readonly ready: WarmPlaywright[] = [];
  private readonly program: string | undefined;
  private closed = false;

  constructor(private readonly cwd: string) {
    this.program = programModule(cwd);
  }

  start(): void {
    if (this.closed || !this.program) return;
    const warm = startWarm(this.cwd, this.program);
    if (warm) this.ready.push(warm);
  }

  /** Starts as many as it takes to have `count` ready. */
  fill(count: number): void {
    for (let ready = this.ready.length; ready < count; ready++) this.start();
  }

  /** A live warm process started in `cwd`, or undefined: then Playwright is started cold. */
  take(cwd: string): WarmPlaywright | undefined {
    if (cwd !== this.cwd) return undefined;
    for (let warm = this.ready.shift(); warm; warm = this.ready.shift()) {
      if (warm.child.exitCode === null && warm.child.signalCode === null) return warm;
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const warm of this.ready.splice(0)) warm.discard();
  }
}
