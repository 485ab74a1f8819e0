// Turns `playwright test --list --reporter=json` into units: one per test case per project.
import { spawn } from 'node:child_process';
import { relative, resolve, sep } from 'node:path';
import { ConfigError, UsageError } from '../errors.ts';
import { unitKey, type UnitRef } from '../model.ts';
import { playwrightCli } from './cli-path.ts';

interface JsonSpec {
  title: string;
  file: string;
  line: number;
  column: number;
  tags?: string[];
  tests: { projectName: string }[];
}

interface JsonSuite {
  title: string;
  file: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

export interface ListReport {
  config: { rootDir: string; projects: { name: string; testDir: string }[] };
  suites?: JsonSuite[];
  errors?: { message?: string }[];
}

const MODULE_TAG = /^@module-(.+)$/;

/** A spec file is a module (`tests/button.spec.ts` → `button`) unless a `@module-<name>` tag regroups it. */
export function moduleOf(file: string, tags: readonly string[] = []): string {
  for (const tag of tags) {
    const match = MODULE_TAG.exec(tag);
    if (match) return match[1]!;
  }
  return file.replace(/\.(spec|test)\.[cm]?[jt]sx?$/, '').replace(/\.[cm]?[jt]sx?$/, '');
}

/** Path of a test file relative to its project's testDir, with forward slashes. */
export function fileInProject(absoluteFile: string, testDir: string): string {
  return relative(testDir, absoluteFile).split(sep).join('/');
}

export function makeUnit(absoluteFile: string, testDir: string, titlePath: string[], project: string, line: number, column: number, tags: string[] = []): UnitRef {
  const file = fileInProject(absoluteFile, testDir);
  return { key: unitKey(file, titlePath, project), file, line, column, titlePath, project, module: moduleOf(file, tags), tags };
}

export function unitsFromListReport(report: ListReport): UnitRef[] {
  const testDirs = new Map(report.config.projects.map((project) => [project.name, project.testDir]));
  const units: UnitRef[] = [];
  const walk = (suite: JsonSuite, titles: string[]) => {
    for (const spec of suite.specs ?? []) {
      const absolute = resolve(report.config.rootDir, spec.file);
      for (const test of spec.tests) {
        const testDir = testDirs.get(test.projectName) ?? report.config.rootDir;
        units.push(makeUnit(absolute, testDir, [...titles, spec.title], test.projectName, spec.line, spec.column, spec.tags?.map((t) => (t.startsWith('@') ? t : `@${t}`))));
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  // The top-level suites are files; their titles are not part of a test's title path.
  for (const file of report.suites ?? []) walk(file, []);
  return units;
}

export interface ListOptions {
  cwd: string;
  playwrightConfig: string;
  grep?: string;
  grepInvert?: string;
  env?: NodeJS.ProcessEnv;
}

/** Asks Playwright for every test it would run, without running any. */
export async function listTests(options: ListOptions): Promise<{ report: ListReport; units: UnitRef[] }> {
  const args = [playwrightCli(), 'test', '--list', '--reporter=json', '--config', options.playwrightConfig];
  if (options.grep) args.push('--grep', options.grep);
  if (options.grepInvert) args.push('--grep-invert', options.grepInvert);
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, UIGATE_BROWSER_NOTICES: 'off', UIGATE_REPORT: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  let report: ListReport;
  try {
    report = JSON.parse(stdout) as ListReport;
  } catch {
    const reason = stderr.trim().split('\n').find((line) => line.trim()) ?? `exit code ${code}`;
    throw new ConfigError(`Playwright could not list the tests (${options.playwrightConfig}): ${reason}`);
  }
  const error = report.errors?.find((e) => e.message)?.message;
  if (error && /No tests found/.test(error)) throw new UsageError('no tests selected: nothing matches --grep, or testDir has no tests');
  if (error) throw new ConfigError(`Playwright could not load the tests: ${stripAnsi(error).split('\n')[0]}`);
  return { report, units: unitsFromListReport(report) };
}

export const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
