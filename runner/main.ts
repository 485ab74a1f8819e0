// Wires the CLI to this process: arguments, streams, Ctrl-C, exit code.
import { main } from './cli.ts';
import { EXIT } from './errors.ts';

export async function runFromProcess(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled); // a second Ctrl-C: stop waiting for cleanup
    process.stderr.write(`\nuigate: ${signal} received — stopping workers and marking the run cancelled (again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    process.exitCode = await main(process.argv.slice(2), {
      cwd: process.cwd(),
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      tty: Boolean(process.stdout.isTTY),
      signal: controller.signal,
    });
  } catch (error) {
    process.stderr.write(`uigate: internal error (a bug — please report it with this trace):\n${(error as Error).stack ?? error}\n`);
    process.exitCode = 70;
  }
}
