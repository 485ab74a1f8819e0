// Where Playwright Test's CLI is, so uigate can run exactly the Playwright the project pins.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const playwrightCli = (): string => require.resolve('@playwright/test/cli');

/** Quotes a title or file for one line of a --test-list file. */
export const listSeparator = ' › ';
