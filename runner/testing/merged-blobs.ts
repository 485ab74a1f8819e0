// Test helper: what Playwright makes of a folder of blob reports, as its JSON report's text —
// to check that a run's blobs hold the tests it ran.
import { join } from 'node:path';
import { REPO, runNode } from './fixture-project.ts';

export async function mergedAsJson(cwd: string, blobs: string): Promise<string> {
  const cli = join(REPO, 'node_modules', '@playwright', 'test', 'cli.js');
  return (await runNode([cli, 'merge-reports', '--reporter', 'json', blobs], cwd)).stdout;
}
