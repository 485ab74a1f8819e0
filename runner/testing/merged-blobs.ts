// Test helper: what Playwright makes of a folder of blob reports, as its JSON report's text —
// to check that a run's blobs hold the tests it ran.
import { join } from 'node:path';
import { REPO, runNode } from './fixture-project.ts';

/** Blobs of batches that ran the suite in other folders merge as the project's (`--config`), as uigate merges them. */
export async function mergedAsJson(cwd: string, blobs: string): Promise<string> {
  const cli = join(REPO, 'node_modules', '@playwright', 'test', 'cli.js');
  const config = join(cwd, 'playwright.config.ts');
  return (await runNode([cli, 'merge-reports', '--config', config, '--reporter', 'json', blobs], cwd)).stdout;
}
