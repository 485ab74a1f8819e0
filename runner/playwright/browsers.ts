// Resolves which browser each Playwright project runs: Playwright's own builds where installed,
// else the system's (Debian chromium, firefox-esr over WebDriver BiDi). One place, used by
// playwright.config.ts, the CLI's checks and the Lambda handler.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserType } from 'playwright-core';
import { MISSING_BROWSERS } from './listing.ts';
import { ENV } from '../core/env.ts';

export type BrowserName = 'chromium' | 'firefox' | 'webkit';
export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'firefox', 'webkit'];

export interface ResolvedBrowser {
  name: BrowserName;
  source: 'playwright' | 'system' | 'env';
  executablePath: string;
  /** Spread into a Playwright project's `use`. */
  use: {
    browserName: BrowserName;
    channel?: string;
    launchOptions?: { executablePath?: string; args?: string[] };
  };
}

export interface MissingBrowser {
  name: BrowserName;
  /** One line: what is missing and how to install it. */
  message: string;
}

export interface BrowserResolution {
  found: ResolvedBrowser[];
  missing: MissingBrowser[];
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
  bundledPath?: (name: BrowserName) => string;
}

// Without these, Chromium keeps dialling Google's services; on a closed network that is a flood
// of refused connections and slower starts.
export const QUIET_CHROMIUM_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

const SYSTEM_PATHS: Record<BrowserName, string[]> = {
  chromium: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'],
  firefox: ['/usr/bin/firefox-esr', '/usr/bin/firefox'],
  webkit: [],
};

const ENV_PATH: Record<BrowserName, string> = {
  chromium: ENV.chromiumPath,
  firefox: ENV.firefoxPath,
  webkit: ENV.webkitPath,
};

const INSTALL_HINT: Record<BrowserName, string> = {
  chromium:
    'install it with `apt-get install chromium` or `npx playwright install chromium`, or set UIGATE_CHROMIUM_PATH',
  firefox:
    'install it with `apt-get install firefox-esr` or `npx playwright install firefox`, or set UIGATE_FIREFOX_PATH',
  webkit: "WebKit needs Playwright's own build: `npx playwright install --with-deps webkit` (needs internet)",
};

/**
 * Playwright's own build of a browser, as the project's Playwright knows it: playwright-core is
 * resolved through the project's @playwright/test (uigate's peer), never a copy of uigate's own,
 * which could be another version with other browser builds.
 */
function bundledExecutable(name: BrowserName): string {
  const require = createRequire(import.meta.url);
  const core = createRequire(require.resolve('@playwright/test/package.json'))('playwright-core') as Record<
    BrowserName,
    BrowserType
  >;
  return core[name].executablePath();
}

/** Reads Chromium flags from UIGATE_CHROMIUM_ARGS (a JSON array): the Lambda handler passes @sparticuz/chromium's. */
function chromiumArgs(env: NodeJS.ProcessEnv): string[] {
  const text = env[ENV.chromiumArgs];
  if (!text) return QUIET_CHROMIUM_ARGS;
  try {
    const args = JSON.parse(text) as unknown;
    if (Array.isArray(args) && args.every((arg) => typeof arg === 'string')) return args as string[];
  } catch {
    // fall through
  }
  return QUIET_CHROMIUM_ARGS;
}

function useFor(
  name: BrowserName,
  source: ResolvedBrowser['source'],
  path: string,
  env: NodeJS.ProcessEnv = {},
): ResolvedBrowser['use'] {
  if (source === 'playwright') {
    return name === 'chromium'
      ? { browserName: name, launchOptions: { args: QUIET_CHROMIUM_ARGS } }
      : { browserName: name };
  }
  if (name === 'chromium')
    return { browserName: name, launchOptions: { executablePath: path, args: chromiumArgs(env) } };
  // A system Firefox has no Juggler patches; Playwright drives it over WebDriver BiDi instead.
  if (name === 'firefox') return { browserName: name, channel: 'moz-firefox', launchOptions: { executablePath: path } };
  return { browserName: name, launchOptions: { executablePath: path } };
}

export function resolveBrowser(name: BrowserName, options: ResolveOptions = {}): ResolvedBrowser | MissingBrowser {
  const env = options.env ?? process.env;
  const exists = options.exists ?? existsSync;
  const fromEnv = env[ENV_PATH[name]];
  if (fromEnv) {
    if (exists(fromEnv))
      return { name, source: 'env', executablePath: fromEnv, use: useFor(name, 'env', fromEnv, env) };
    return { name, message: `${name}: ${ENV_PATH[name]}=${fromEnv} does not exist; fix the path or unset it` };
  }
  const bundled = (options.bundledPath ?? bundledExecutable)(name);
  if (exists(bundled))
    return { name, source: 'playwright', executablePath: bundled, use: useFor(name, 'playwright', bundled) };
  const system = SYSTEM_PATHS[name].find((path) => exists(path));
  if (system) return { name, source: 'system', executablePath: system, use: useFor(name, 'system', system) };
  return { name, message: `${name}: not installed — ${INSTALL_HINT[name]}` };
}

export function isMissing(browser: ResolvedBrowser | MissingBrowser): browser is MissingBrowser {
  return 'message' in browser;
}

export function resolveBrowsers(options: ResolveOptions = {}): BrowserResolution {
  const found: ResolvedBrowser[] = [];
  const missing: MissingBrowser[] = [];
  for (const name of BROWSER_NAMES) {
    const browser = resolveBrowser(name, options);
    if (isMissing(browser)) missing.push(browser);
    else found.push(browser);
  }
  return { found, missing };
}

/**
 * One project's browser, for its `use`, spread after a device:
 * `use: { ...devices['Desktop Chrome'], ...systemBrowser('chromium') }`. Playwright's own build
 * where it is installed; else the system's (Debian's chromium, firefox-esr over WebDriver BiDi),
 * or Lambda's Chromium inside uigate's Lambda function. Without one, uigate names what to install.
 */
export function systemBrowser(name: BrowserName, env: NodeJS.ProcessEnv = process.env): ResolvedBrowser['use'] {
  const browser = resolveBrowser(name, { env });
  // Missing: Playwright's own, which uigate's listing finds missing too and says how to install.
  return isMissing(browser) ? { browserName: name } : browser.use;
}

/**
 * Playwright projects, one per browser found. Each missing browser is named once on stderr —
 * only in Playwright's main process (workers load the config too) and not when uigate, which
 * says it itself, started this Playwright.
 */
export function browserProjects(env: NodeJS.ProcessEnv = process.env) {
  const { found, missing } = resolveBrowsers({ env });
  // uigate's list reporter, in this same process, says which were dropped (and how to install them).
  (globalThis as Record<symbol, unknown>)[MISSING_BROWSERS] = missing.map((browser) => ({
    project: browser.name,
    message: browser.message,
  }));
  const isWorker = env.TEST_WORKER_INDEX !== undefined;
  if (!isWorker && env[ENV.browserNotices] !== 'off') {
    for (const browser of missing) process.stderr.write(`uigate: skipping project ${browser.message}\n`);
  }
  return found.map((browser) => ({ name: browser.name, use: browser.use }));
}
