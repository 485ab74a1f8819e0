// `uigate run`: the flags to a run session (runner/run/session.ts), with the status site served
// while it goes, and the summary as JSON when asked. Exit 0 only when every selected unit passed.
import { exitFor } from '../../core/errors.ts';
import { runSession, type EarlyStart, type SessionRequest } from '../../run/session.ts';
import type { CommandIO } from '../io.ts';
import { serveStatusSite, type ServeFlags } from '../status-site.ts';

export interface RunFlags extends SessionRequest, ServeFlags {}

export async function runCommand(flags: RunFlags, io: CommandIO, early?: EarlyStart): Promise<number> {
  const summary = await runSession(flags, io, {
    early,
    serve:
      flags.serve === false
        ? undefined
        : (store, config, terminal) => serveStatusSite(store, config, terminal, flags.port),
  });
  if (flags.json) io.stdout.write(JSON.stringify(summary) + '\n');
  return exitFor(summary.status);
}
