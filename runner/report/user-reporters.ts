// The project's own reporters, run once over the whole run. Batches report to uigate and to a blob
// each (playwright/batch.ts), never to the project's reporters: a junit file per batch would
// overwrite the last. At the run's end Playwright's `merge-reports` replays the blobs through the
// reporters the project's config names — junit, json, allure, Currents, a custom one — as a plain
// `npx playwright test` would have run them.
//
// Through a config of uigate's that is the project's own with three changes: the terminal reporters
// (list, line, dot, github, null; json and junit without a file) are left out, uigate prints the run
// itself; uigate's reporter is left out (the run is recorded already); and the paths the reporters
// write to are the project's, resolved from its config's folder as Playwright resolves them there.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV } from '../core/env.ts';
import { playwrightCli } from '../playwright/cli-path.ts';

export interface UserReportersOptions {
  cwd: string;
  /** The project's Playwright config. */
  playwrightConfig: string;
  /** The run's blob reports, gathered in one folder (html-report.ts). */
  blobs: string;
  /** Where the merge config is written. */
  workDir: string;
  env: NodeJS.ProcessEnv;
}

const TERMINAL = ['list', 'line', 'dot', 'github', 'null'];

/**
 * Whether the config may name a reporter that writes files: any name in its `reporter` value but
 * the terminal ones and uigate's own. Read as text, so a run whose project has none (Playwright's
 * default is list) starts no Playwright process for them; a false yes costs one merge-reports.
 */
export function namesReporters(playwrightConfig: string): boolean {
  if (!existsSync(playwrightConfig)) return false;
  const text = readFileSync(playwrightConfig, 'utf8');
  const start = /\breporter\s*:/.exec(text);
  if (!start) return false;
  const value = reporterValue(text, start.index + start[0].length);
  const names = [...value.matchAll(/(['"`])([^'"`]+)\1/g)].map((match) => match[2]!);
  return names.some(
    (name) =>
      !TERMINAL.includes(name) && name !== 'uigate/reporter' && !/playwright[\\/]reporter\.[mc]?[jt]s$/.test(name),
  );
}

/** The text of the reporter value from `from`: up to the comma or brace that ends it, brackets matched. */
function reporterValue(text: string, from: number): string {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') {
      if (depth === 0) return text.slice(from, i);
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(from, i);
  }
  return text.slice(from);
}

/** The merge config: the project's, its reporters kept as said above. */
export function mergeConfigSource(playwrightConfig: string): string {
  const dir = dirname(playwrightConfig);
  return `// Written by uigate: the project's Playwright config, with only the reporters that write files.
import { isAbsolute, resolve } from 'node:path';
import * as loaded from ${JSON.stringify(pathToFileURL(playwrightConfig).href)};

let config = loaded.default ?? {};
if (config && typeof config === 'object' && 'default' in config && Object.keys(config).length === 1) config = config.default;
const dir = ${JSON.stringify(dir)};
const TERMINAL = new Set(${JSON.stringify(TERMINAL)});
const TO_STDOUT = { json: 'PLAYWRIGHT_JSON_OUTPUT_FILE', junit: 'PLAYWRIGHT_JUNIT_OUTPUT_FILE' };
const PATHS = ['outputFile', 'outputFolder', 'outputDir', 'resultsDir'];
const here = (value) => (typeof value === 'string' && !isAbsolute(value) ? resolve(dir, value) : value);
const named = (name) => (typeof name === 'string' && name.startsWith('.') ? resolve(dir, name) : name);
const list = Array.isArray(config.reporter) ? config.reporter : config.reporter ? [config.reporter] : [];
const reporter = list
  .map((entry) => (Array.isArray(entry) ? entry : [entry]))
  .filter(([name]) => typeof name !== 'string' || !TERMINAL.has(name))
  .filter(([name]) => typeof name !== 'string' || (name !== 'uigate/reporter' && !/playwright[\\\\/]reporter\\.[mc]?[jt]s$/.test(name)))
  .filter(([name, options]) => !(name in TO_STDOUT) || options?.outputFile || process.env[TO_STDOUT[name]] || (name === 'junit' && process.env.PLAYWRIGHT_JUNIT_OUTPUT_NAME) || (name === 'json' && process.env.PLAYWRIGHT_JSON_OUTPUT_NAME))
  .map(([name, options]) => [
    named(name),
    {
      ...(options ?? {}),
      ...Object.fromEntries(PATHS.filter((key) => options?.[key] !== undefined).map((key) => [key, here(options[key])])),
      ...(name === 'html' && !options?.outputFolder ? { outputFolder: resolve(dir, 'playwright-report'), open: 'never' } : {}),
      ...(name === 'blob' && !options?.outputDir ? { outputDir: resolve(dir, 'blob-report') } : {}),
    },
  ]);
export const reporters = reporter.map(([name]) => String(name));
export default { ...config, testDir: here(config.testDir ?? '.'), reporter: reporter.length ? reporter : [['null']] };
`;
}

export interface UserReportersResult {
  /** Whether merge-reports ran. */
  ran: boolean;
  /** Why it failed, in its last words. */
  error?: string;
}

/** Replays the run's blobs through the project's file-writing reporters; nothing when its config names none. */
export async function runUserReporters(options: UserReportersOptions): Promise<UserReportersResult> {
  if (!namesReporters(options.playwrightConfig) || !existsSync(options.blobs)) return { ran: false };
  const mergeConfig = join(options.workDir, 'user-reporters.config.mjs');
  await writeFile(mergeConfig, mergeConfigSource(options.playwrightConfig));
  const child = spawn(
    process.execPath,
    [playwrightCli(options.cwd), 'merge-reports', '--config', mergeConfig, options.blobs],
    {
      cwd: options.cwd,
      // uigate's own reporter, if the config names it in a form not recognised above, records nothing.
      env: { ...process.env, ...options.env, [ENV.report]: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let said = '';
  const keep = (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((done) => {
    child.once('error', () => done(-1));
    child.once('close', done);
  });
  return code === 0
    ? { ran: true }
    : { ran: true, error: said.trim().split('\n').slice(-3).join(' | ') || `exit ${code}` };
}
