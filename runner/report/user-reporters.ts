// The project's own reporters, run once over the whole run. Batches report to uigate and to a blob
// each (playwright/batch.ts), never to the project's reporters: a junit file per batch would
// overwrite the last. At the run's end Playwright's `merge-reports` replays the blobs through the
// reporters the project's config names — junit, json, allure, Currents, a custom one — as a plain
// `npx playwright test` would have run them.
//
// With the project's own config, so Playwright loads it and resolves its reporters' paths as it
// does for `npx playwright test`. What the terminal reporters print then is a replay of what uigate
// printed: it is kept only to explain a failure. uigate's reporter in that config records nothing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ENV } from '../core/env.ts';
import { playwrightCli } from '../playwright/cli-path.ts';

export interface UserReportersOptions {
  cwd: string;
  /** The project's Playwright config. */
  playwrightConfig: string;
  /** The run's blob reports, gathered in one folder (html-report.ts). */
  blobs: string;
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

export interface UserReportersResult {
  /** Whether merge-reports ran. */
  ran: boolean;
  /** Why it failed, in its last words. */
  error?: string;
}

/** Replays the run's blobs through the project's file-writing reporters; nothing when its config names none. */
export async function runUserReporters(options: UserReportersOptions): Promise<UserReportersResult> {
  if (!namesReporters(options.playwrightConfig) || !existsSync(options.blobs)) return { ran: false };
  // The project's own config, loaded by Playwright as `npx playwright test` loads it (TypeScript,
  // ES module or CommonJS alike), so its reporters resolve their paths from its folder.
  const child = spawn(
    process.execPath,
    [playwrightCli(options.cwd), 'merge-reports', '--config', options.playwrightConfig, options.blobs],
    {
      cwd: options.cwd,
      // uigate's reporter in that config records nothing (the run is recorded already); the html
      // reporter opens nothing.
      env: { ...process.env, ...options.env, [ENV.report]: 'off', PLAYWRIGHT_HTML_OPEN: 'never' },
      // What the terminal reporters print is a replay of what uigate printed: kept only for a failure.
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
    : {
        ran: true,
        error:
          said
            .trim()
            .split('\n')
            .filter((line) => line.trim() && !/^\s+at /.test(line))
            .slice(-3)
            .join(' | ') || `exit ${code}`,
      };
}
