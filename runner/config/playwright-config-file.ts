// Which Playwright config a project has, found as Playwright finds it: playwright.config with the
// first of .ts, .js, .mts, .mjs, .cts, .cjs that exists (its config loader's resolveConfigFile,
// playwright/lib/common). `run`, `init`, the executors and the Lambda handler all ask this.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

export const PLAYWRIGHT_CONFIG_FILES = ['.ts', '.js', '.mts', '.mjs', '.cts', '.cjs'].map(
  (ext) => `playwright.config${ext}`,
);

/** The project's Playwright config in `dir`, or undefined when it has none. */
export function findPlaywrightConfig(dir: string): string | undefined {
  return PLAYWRIGHT_CONFIG_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
}

/**
 * Whether a file `-c` names is Playwright's config rather than uigate's, by its name as teams
 * spell them: `playwright.config.ts`, `playwright.ci.config.mjs`, `playwright-ct.config.ts`.
 */
export function isPlaywrightConfigName(file: string): boolean {
  return /^playwright[\w.-]*\.config\.(ts|js|mts|mjs|cts|cjs)$/.test(basename(file));
}
