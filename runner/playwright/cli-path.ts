// Which Playwright Test a project runs: the one it installed, found from the project's folder, so
// uigate runs exactly the Playwright the project pins — and refuses one it was not made for.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.ts';

/** The @playwright/test releases uigate is built and tested against (its peer dependency range). */
export const SUPPORTED_PLAYWRIGHT = {
  min: [1, 56],
  max: [1, 64],
  range: '>=1.56.0 <1.65.0',
  text: '1.56 to 1.64',
} as const;

export interface InstalledPlaywright {
  /** @playwright/test's cli.js. */
  cli: string;
  version: string;
}

/** Tells whether uigate supports a version: --test-list arrived in 1.56; 1.65 is not yet tested. */
export function isSupportedPlaywright(version: string): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const at = major * 1000 + minor;
  return (
    at >= SUPPORTED_PLAYWRIGHT.min[0] * 1000 + SUPPORTED_PLAYWRIGHT.min[1] &&
    at <= SUPPORTED_PLAYWRIGHT.max[0] * 1000 + SUPPORTED_PLAYWRIGHT.max[1]
  );
}

/** Finds the project's own @playwright/test (resolved from `cwd`) and checks it against the supported range. */
export function findPlaywright(cwd: string): InstalledPlaywright {
  let manifest: string;
  try {
    manifest = createRequire(join(cwd, 'package.json')).resolve('@playwright/test/package.json');
  } catch {
    throw new UsageError(
      `@playwright/test is not installed in ${cwd}: uigate runs your project's Playwright — npm i -D @playwright/test@1.64`,
    );
  }
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  if (!isSupportedPlaywright(version)) {
    throw new UsageError(
      `@playwright/test ${version} is not supported: uigate works with ${SUPPORTED_PLAYWRIGHT.text} (its --test-list and test groups); install one with npm i -D @playwright/test@1.64`,
    );
  }
  return { cli: join(dirname(manifest), 'cli.js'), version };
}

/** The project's Playwright CLI, without the version check (for callers that checked already). */
export const playwrightCli = (cwd = process.cwd()): string => findPlaywright(cwd).cli;
