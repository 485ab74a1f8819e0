// `uigate run`: the flags to a run session (runner/run/session.ts), with the status site served
// while it goes, and the summary as JSON when asked. Exit 0 only when every selected unit passed.
import { EXIT, exitFor } from '../../core/errors.ts';
import { prepareRun } from '../../run/prepare.ts';
import { runSession, type EarlyStart, type SessionRequest } from '../../run/session.ts';
import type { CommandIO } from '../io.ts';
import { serveStatusSite, type ServeFlags } from '../status-site.ts';

export interface RunFlags extends SessionRequest, ServeFlags {
  /** Print the units the run would have, as Playwright's --list does, and run nothing. */
  list?: boolean;
}

export async function runCommand(flags: RunFlags, io: CommandIO, early?: EarlyStart): Promise<number> {
  if (flags.list) return listCommand(flags, io, early);
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

/** Lists the units as Playwright lists its tests (`[project] › file:line:column › title`), setup projects' included. */
async function listCommand(flags: RunFlags, io: CommandIO, early?: EarlyStart): Promise<number> {
  const prepared = await prepareRun(flags, io, early?.listed);
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say('Listing tests:');
  for (const unit of prepared.units)
    say(`  [${unit.project}] › ${unit.file}:${unit.line}:${unit.column} › ${unit.titlePath.join(' › ')}`);
  const files = new Set(prepared.units.map((unit) => unit.file)).size;
  say(
    `Total: ${prepared.units.length} ${prepared.units.length === 1 ? 'test' : 'tests'} in ${files} ${files === 1 ? 'file' : 'files'}`,
  );
  return EXIT.ok;
}
