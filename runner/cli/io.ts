// What a command is given to work with is what a run session is given (runner/run/session.ts): the
// folder, the environment, the terminal and a signal that Ctrl-C raises. Commands never reach for
// process globals themselves.
import type { SessionIO } from '../run/session.ts';

export type CommandIO = SessionIO;
