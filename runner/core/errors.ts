// Errors a user can hit. Each carries the one line the CLI prints and the exit code it uses;
// anything else that escapes is a bug and gets a stack trace.

export const EXIT = {
  ok: 0,
  testsFailed: 1,
  usage: 2,
  infra: 3,
  /** A bug: something escaped that no typed error describes (EX_SOFTWARE). */
  internal: 70,
  cancelled: 130,
} as const;

/** A run's exit code: 0 passed, 1 a test failed, 3 a unit could not be run, 130 cancelled. */
export function exitFor(status: 'running' | 'passed' | 'failed' | 'errored' | 'cancelled'): number {
  if (status === 'passed') return EXIT.ok;
  if (status === 'failed') return EXIT.testsFailed;
  if (status === 'cancelled') return EXIT.cancelled;
  return EXIT.infra;
}

export class UigateError extends Error {
  readonly exitCode: number = EXIT.usage;
}

/** Bad command line: unknown flag, unknown module or project, nothing selected. */
export class UsageError extends UigateError {
  override readonly name: string = 'UsageError';
}

/** Bad uigate.config.ts or policy: names the key, what was wrong and what is accepted. */
export class ConfigError extends UigateError {
  override readonly name: string = 'ConfigError';
}

/** Something under the tests broke: store unreachable, executor crashed, API throttled. */
export class InfraError extends UigateError {
  override readonly name: string = 'InfraError';
  override readonly exitCode: number = EXIT.infra;
}

export function isUigateError(error: unknown): error is UigateError {
  return error instanceof UigateError;
}
