// A browser too old for the Playwright that drives it: the test never ran, so it is an
// infrastructure fault (errored), said in one line with the browser's version, the version needed
// and how to upgrade — not a test failure repeated for every Firefox test in the run. Playwright
// 1.64 drives a system Firefox over WebDriver BiDi and sends `network.addDataCollector`, which
// Firefox ESR 140 does not know (ESR 153 does; see DESIGN.md, Browsers).
import { execFileSync } from 'node:child_process';
import type { UnitError } from '../core/model.ts';

/** The oldest Firefox ESR that knows every BiDi command Playwright 1.64 sends. */
export const MIN_FIREFOX_ESR = 153;

const UNKNOWN_COMMAND = /Protocol error \(([\w.]+)\): unknown command/;

interface ProjectUse {
  channel?: string;
  launchOptions?: { executablePath?: string };
}

const versions = new Map<string, string | undefined>();

/** Asks `<browser> --version` ("Mozilla Firefox 140.5.0esr"), once per executable. */
export function browserVersion(executablePath: string): string | undefined {
  if (!versions.has(executablePath)) {
    let said: string | undefined;
    try {
      said = execFileSync(executablePath, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim() || undefined;
    } catch {
      said = undefined;
    }
    versions.set(executablePath, said);
  }
  return versions.get(executablePath);
}

/**
 * The one line for a unit whose error is a BiDi command its Firefox does not know, or undefined
 * when the error is the test's own. Only for a Firefox driven over BiDi (channel moz-firefox).
 */
export function tooOldBrowser(
  error: UnitError | undefined,
  use: ProjectUse | undefined,
  version: (path: string) => string | undefined = browserVersion,
): string | undefined {
  if (!error || use?.channel !== 'moz-firefox') return undefined;
  const command = UNKNOWN_COMMAND.exec(error.message)?.[1];
  if (!command) return undefined;
  const path = use.launchOptions?.executablePath ?? 'firefox';
  const said = version(path) ?? 'its version could not be read';
  return `${path} (${said}) is too old for this Playwright: it does not know the WebDriver BiDi command "${command}"; Firefox ESR ${MIN_FIREFOX_ESR} or later is needed — upgrade it with \`sudo apt-get update && sudo apt-get install firefox-esr\` (or point UIGATE_FIREFOX_PATH at a newer Firefox)`;
}
