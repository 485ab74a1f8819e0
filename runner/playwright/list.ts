// Asks the project's Playwright for every test it would run, without running any, through
// uigate's list reporter (list-reporter.ts), and turns the listing into units: one per test case
// per project (per repeat), each in the piece it must be dispatched with.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { ConfigError, InfraError, UsageError } from '../core/errors.ts';
import type { UnitRef } from '../core/model.ts';
import { unitKey } from './unit-key.ts';
import { findPlaywright } from './cli-path.ts';
import { LIST_FILE_ENV, LIST_PROJECTS_ENV, type Listing } from './listing.ts';
import { siblingModule } from './module-path.ts';
import { joinGroups } from './pieces.ts';
import { ENV } from '../core/env.ts';

export const LIST_REPORTER_PATH = siblingModule(import.meta.url, 'list-reporter');

const MODULE_TAG = /^@module-(.+)$/;

/** A spec file is a module (`tests/button.spec.ts` → `button`) unless a `@module-<name>` tag regroups it. */
export function moduleOf(file: string, tags: readonly string[] = []): string {
  for (const tag of tags) {
    const match = MODULE_TAG.exec(tag);
    if (match) return match[1]!;
  }
  return file.replace(/\.(spec|test|setup|teardown)\.[cm]?[jt]sx?$/, '').replace(/\.[cm]?[jt]sx?$/, '');
}

/** Makes a test file's path relative to the config's rootDir (what --test-list matches), with forward slashes. */
export function fileInProject(absoluteFile: string, rootDir: string): string {
  return relative(rootDir, absoluteFile).split(sep).join('/');
}

export function makeUnit(
  absoluteFile: string,
  rootDir: string,
  titlePath: string[],
  project: string,
  line: number,
  column: number,
  tags: string[] = [],
  repeat = 0,
): UnitRef {
  const file = fileInProject(absoluteFile, rootDir);
  return {
    key: unitKey(file, titlePath, project, repeat),
    file,
    line,
    column,
    titlePath,
    project,
    module: moduleOf(file, tags),
    tags,
    ...(repeat ? { repeat } : {}),
  };
}

/** Makes units from a listing, each with its piece (`group`); roles are the selection's business (plan.ts). */
export function unitsFromListing(listing: Pick<Listing, 'rootDir' | 'tests'>): UnitRef[] {
  const pieces = joinGroups(listing.tests);
  return listing.tests.map((test, i) => ({
    ...makeUnit(
      resolve(listing.rootDir, test.file),
      listing.rootDir,
      test.titlePath,
      test.project,
      test.line,
      test.column,
      test.tags,
      test.repeat,
    ),
    group: pieces[i]!,
  }));
}

export interface ListOptions {
  cwd: string;
  playwrightConfig: string;
  grep?: string;
  grepInvert?: string;
  /** `--project` as asked for: `.only` is judged over these projects and their dependencies, as Playwright does. */
  projects?: string[];
  /** Playwright's own selection, passed to it as given: file filters, --shard, --only-changed, --last-failed. */
  filters?: PlaywrightSelection;
  env?: NodeJS.ProcessEnv;
}

/** The selection Playwright makes itself: the units are then exactly the tests it lists. */
export interface PlaywrightSelection {
  files?: string[];
  shard?: string;
  onlyChanged?: string | true;
  lastFailed?: boolean;
  /** Not a selection, but it changes the list: each test that many times (`--repeat-each`). */
  repeatEach?: number;
}

/** Playwright's flags for a selection, as `playwright test` takes them. */
export function selectionArgs(selection: PlaywrightSelection = {}): string[] {
  return [
    ...(selection.shard ? ['--shard', selection.shard] : []),
    ...(selection.onlyChanged === true
      ? ['--only-changed']
      : selection.onlyChanged
        ? [`--only-changed=${selection.onlyChanged}`]
        : []),
    ...(selection.lastFailed ? ['--last-failed'] : []),
    ...(selection.repeatEach ? ['--repeat-each', String(selection.repeatEach)] : []),
    // Not after a `--`: Playwright's test command then ignores them (1.64).
    ...(selection.files ?? []),
  ];
}

export interface ListResult {
  listing: Listing;
  units: UnitRef[];
}

/** Asks Playwright for every test it would run, without running any. */
export async function listTests(options: ListOptions): Promise<ListResult> {
  const { cli } = findPlaywright(options.cwd);
  const args = [cli, 'test', '--list', '--reporter', LIST_REPORTER_PATH, '--config', options.playwrightConfig];
  if (options.grep) args.push('--grep', options.grep);
  if (options.grepInvert) args.push('--grep-invert', options.grepInvert);
  args.push(...selectionArgs(options.filters));
  const dir = await mkdtemp(join(tmpdir(), 'uigate-list-'));
  const file = join(dir, 'listing.json');
  try {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...options.env,
        [ENV.browserNotices]: 'off',
        [ENV.report]: 'off',
        [LIST_FILE_ENV]: file,
        [LIST_PROJECTS_ENV]: JSON.stringify(options.projects ?? []),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => {
      child.once('error', () => ok({ code: null, signal: null }));
      child.once('close', (code, signal) => ok({ code, signal }));
    });
    // Killed from outside (out of memory, a CI runner stopping): the machine's fault, not the config's.
    if (signal)
      throw new InfraError(
        `Playwright was killed by ${signal} while listing the tests (${options.playwrightConfig}): nothing was run; if the machine ran out of memory, free some, then run again`,
      );
    const listing = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Listing & { errors?: string[] },
      () => undefined,
    );
    if (!listing)
      throw new ConfigError(
        `Playwright could not list the tests (${options.playwrightConfig}): ${firstLine(output) ?? `exit code ${code}`}`,
      );
    const error = listing.errors?.[0];
    if (error && /No tests found/i.test(error)) throw noTests(listing);
    if (error) throw new ConfigError(`Playwright could not load the tests: ${firstLine(error)}`);
    if (listing.tests.length === 0) throw noTests(listing);
    return { listing, units: unitsFromListing(listing) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Nothing to run: when no project has its browser (a fresh machine), that is what to say. */
function noTests(listing: Pick<Listing, 'missingBrowsers' | 'projects'>): UsageError {
  const usable = (listing.projects ?? []).filter(
    (project) => !listing.missingBrowsers.some((entry) => entry.project === project.name),
  );
  if (listing.missingBrowsers.length && usable.length === 0) return missingBrowsersError(listing.missingBrowsers);
  return new UsageError('no tests selected: nothing matches --grep, or testDir has no tests');
}

export function missingBrowsersError(missing: readonly { project: string; message: string }[]): UsageError {
  return new UsageError(`no browser to run the tests in: ${missing.map((entry) => entry.message).join('; ')}`);
}

const firstLine = (text: string) =>
  stripAnsi(text)
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line && !/^at /.test(line));

// eslint-disable-next-line no-control-regex -- terminal colour codes start with ESC, a control character
export const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
