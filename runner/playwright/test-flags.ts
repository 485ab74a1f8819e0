// Playwright's own flags for how the selected tests run (not which run): given to `uigate run` as
// `npx playwright test` takes them, and passed to every batch's `playwright test` on every
// executor. One schema for what crosses to Lambda (its event) and CodeBuild (UIGATE_TEST_FLAGS),
// so a flag a worker cannot take is refused there as it would be here.
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';

/** Playwright 1.64's `--trace` modes (`npx playwright test --help`). */
export const TRACE_MODES = [
  'on',
  'off',
  'on-first-retry',
  'on-all-retries',
  'retain-on-failure',
  'retain-on-first-failure',
  'retain-on-failure-and-retries',
] as const;

/** Playwright's `--update-snapshots` modes; `-u` alone is `changed`, as in Playwright. */
export const UPDATE_SNAPSHOTS_MODES = ['all', 'changed', 'missing', 'none'] as const;

export const testFlagsSchema = z.strictObject({
  retries: z.number().int().min(0).max(10).optional(),
  maxFailures: z.number().int().min(1).max(1_000_000).optional(),
  trace: z.enum(TRACE_MODES).optional(),
  repeatEach: z.number().int().min(1).max(1_000).optional(),
  /** Each test's timeout in milliseconds; 0 is none, as Playwright's `--timeout 0`. */
  timeout: z.number().int().min(0).max(86_400_000).optional(),
  updateSnapshots: z.enum(UPDATE_SNAPSHOTS_MODES).optional(),
});

export type TestFlags = z.infer<typeof testFlagsSchema>;

/** The flags' own names, so a command's other flags are never taken for them. */
const NAMES = Object.keys(testFlagsSchema.shape) as (keyof TestFlags)[];

/** Picks the test flags out of a command's flags; nothing when none was given. */
export function testFlagsOf(flags: Partial<Record<keyof TestFlags, unknown>>): TestFlags {
  const picked: Record<string, unknown> = {};
  for (const name of NAMES) if (flags[name] !== undefined) picked[name] = flags[name];
  return picked as TestFlags;
}

/** The flags as `playwright test` arguments, in Playwright's own spelling. */
export function testFlagArgs(flags: TestFlags): string[] {
  return [
    ...(flags.retries !== undefined ? ['--retries', String(flags.retries)] : []),
    ...(flags.maxFailures !== undefined ? ['--max-failures', String(flags.maxFailures)] : []),
    ...(flags.trace ? ['--trace', flags.trace] : []),
    ...(flags.repeatEach !== undefined ? ['--repeat-each', String(flags.repeatEach)] : []),
    ...(flags.timeout !== undefined ? ['--timeout', String(flags.timeout)] : []),
    ...(flags.updateSnapshots ? ['--update-snapshots', flags.updateSnapshots] : []),
  ];
}

/** Reads the flags a worker was given in its environment (JSON), refusing what Playwright would not take. */
export function testFlagsFromText(text: string | undefined, where: string): TestFlags {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not JSON: ${(error as Error).message}`);
  }
  const checked = testFlagsSchema.safeParse(parsed);
  if (!checked.success) throw new UsageError(`${where}: ${checked.error.issues[0]?.message ?? 'not test flags'}`);
  return checked.data;
}

/** Whether any flag was given: none sends nothing, so a worker from before them still takes the batch. */
export const hasFlags = (flags: TestFlags | undefined): flags is TestFlags =>
  flags !== undefined && Object.keys(flags).length > 0;
