// Wires the CLI to this process: arguments, streams, Ctrl-C, exit code.
import { main } from './program.ts';
import { EXIT } from '../core/errors.ts';
import { forceExit } from '../run/forced-exit.ts';
import { killGroups } from '../playwright/process-groups.ts';

/**
 * How long a finished command may take to drain before the process ends anyway: a pipeline step
 * must not hang on a socket or timer that something forgot to close after the work was done.
 */
const DRAIN_MS = 10_000;
/** How long a forced exit waits for the run to be marked cancelled. */
const LAST_WORDS_MS = 5_000;

export async function runFromProcess(run: typeof main = main, drainMs = DRAIN_MS): Promise<void> {
  const atStart = countResources(); // stdin, stdout, stderr: this process's own, not a leak
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 2) process.exit(EXIT.cancelled);
    if (interrupts === 2) {
      // A second Ctrl-C: stop waiting for a clean stop, but leave no browser behind and no run `running`.
      process.stderr.write(`\nuigate: ${signal} again — killing Playwright and quitting (again to quit at once)\n`);
      void forceExit(LAST_WORDS_MS).finally(() => process.exit(EXIT.cancelled));
      return;
    }
    process.stderr.write(
      `\nuigate: ${signal} received — stopping workers and marking the run cancelled (again to quit now)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  // However this process ends — process.exit from a store that cannot write, say — no Playwright
  // it started carries on as an orphan, writing into a run nobody is finishing.
  process.on('exit', () => killGroups());
  try {
    process.exitCode = await run(process.argv.slice(2), {
      cwd: process.cwd(),
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      tty: Boolean(process.stdout.isTTY),
      signal: controller.signal,
    });
  } catch (error) {
    process.stderr.write(
      `uigate: internal error (a bug — please report it with this trace):\n${(error as Error).stack ?? error}\n`,
    );
    process.exitCode = EXIT.internal;
  }
  const exit = setTimeout(() => {
    const left = [...countResources()]
      .map(([name, n]) => [name, n - (atStart.get(name) ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const names = left.map(([name, n]) => (n > 1 ? `${n} × ${name}` : name));
    process.stderr.write(
      `uigate: finished, but ${names.join(', ') || 'something'} stayed open ${drainMs / 1000}s later (a bug — please report it); exiting\n`,
    );
    process.exit();
  }, drainMs);
  exit.unref(); // an unref'd timer is not itself an open resource
}

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const resource of process.getActiveResourcesInfo()) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  return counts;
}
