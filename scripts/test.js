// Runs the project's own tests (files named *.test.ts beside the code they test) with Node's
// test runner, TypeScript through tsx. Usage: npm test [-- file-or-folder ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['runner', 'status-site', 'cdk', 'infra', 'bench'];
const SKIP = new Set(['node_modules', 'cdk.out', '.uigate']);

function find(path, found = []) {
  let info;
  try {
    info = statSync(path);
  } catch {
    return found;
  }
  if (info.isFile()) {
    if (path.endsWith('.test.ts')) found.push(path);
    return found;
  }
  for (const entry of readdirSync(path)) if (!SKIP.has(entry)) find(join(path, entry), found);
  return found;
}

const args = process.argv.slice(2);
const files = (args.length ? args : ROOTS).flatMap((root) => find(root)).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// A test that hangs fails after ten minutes, and a file whose tests are done ends even if something
// it opened is still open: a hang must show up as a red test with a name, never as a CI job that
// runs out of time. The longest files run whole release sequences (uigate pipeline --local three
// times in a row, about three minutes, more on a loaded machine): node counts a file as one test.
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.UIGATE_TEST_CONCURRENCY || 2}`,
    '--test-timeout=600000',
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
