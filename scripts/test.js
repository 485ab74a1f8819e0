// Runs the project's own tests (files named *.test.ts beside the code they test) with Node's
// test runner, TypeScript through tsx. Usage: npm test [-- file-or-folder ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const browserEnv = suiteChromium();
const oracleDir = mkdtempSync(join(tmpdir(), 'uigate-oracles-'));
const oracleLog = join(oracleDir, 'oracles.jsonl');
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
  { stdio: 'inherit', env: { ...process.env, ...browserEnv, UIGATE_ORACLE_LOG: oracleLog } },
);
printOracles();
process.exit(result.status ?? 1);

/**
 * Chromium for the tests: a headless shell (runner/testing/headless-shell.ts), as Playwright runs
 * headless tests, unless UIGATE_CHROMIUM_PATH names one or UIGATE_TEST_CHROMIUM=system asks for
 * the system's. Tests that are about the system's browser set their own environment.
 */
function suiteChromium() {
  if (process.env.UIGATE_CHROMIUM_PATH || process.env.UIGATE_TEST_CHROMIUM === 'system') return {};
  const found = spawnSync(process.execPath, ['--import', 'tsx', 'runner/testing/headless-shell.ts'], {
    encoding: 'utf8',
  });
  const path = found.stdout.trim();
  // A build for another machine (its CPU, its C library) fails here, not in every test.
  const runs = path && spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (found.status !== 0 || !path || runs.status !== 0) {
    const why = (runs?.stderr || runs?.error?.message || found.stderr || 'it did not start').trim().split('\n').pop();
    console.log(`Chromium for the tests: the system's (no headless shell: ${why})`);
    return {};
  }
  console.log(`Chromium for the tests: a headless shell at ${path} (UIGATE_TEST_CHROMIUM=system for the system's)`);
  return { UIGATE_CHROMIUM_PATH: path };
}

/** How many test files ran each AWS oracle's tests, and how many had to skip them. */
function printOracles() {
  let lines = [];
  try {
    lines = readFileSync(oracleLog, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    // No test file used an oracle.
  }
  rmSync(oracleDir, { recursive: true, force: true });
  const counts = new Map();
  for (const { oracle, ran, file } of lines) {
    const count = counts.get(oracle) ?? { ran: new Set(), skipped: new Set() };
    (ran ? count.ran : count.skipped).add(file);
    counts.set(oracle, count);
  }
  const parts = [...counts].map(
    ([oracle, { ran, skipped }]) => `${oracle}: ${ran.size} file(s) ran, ${skipped.size} skipped`,
  );
  console.log(`AWS oracles — ${parts.length ? parts.join('; ') : 'no test file used one'}`);
}
