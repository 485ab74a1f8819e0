// Test helper: a buildspec phase run as CodeBuild runs it — every command of the phase in one shell
// (buildspec version 0.2: "each command runs in the same instance of the shell"), the phase
// stopping at the first command that fails — in dash, the /bin/sh of CodeBuild's Ubuntu images.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/** The phase as one dash script: each command, then its exit status checked. */
export function phaseScript(commands: readonly string[], after = ''): string {
  return [...commands.map((command) => `{ ${command}\n} || exit $?`), after].join('\n');
}

/** Runs the phase's commands in `cwd` with exactly `env`; `after` runs once they all succeeded. */
export function runPhase(
  commands: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  after = '',
): SpawnSyncReturns<string> {
  return spawnSync('dash', ['-c', phaseScript(commands, after)], { cwd, env, encoding: 'utf8' });
}
