// What a command is given to work with: the folder, the environment, the terminal and a signal
// that Ctrl-C raises. Commands never reach for process globals themselves.
import type { Writable } from 'node:stream';

export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** Live progress line and colours. */
  tty: boolean;
  signal: AbortSignal;
}
