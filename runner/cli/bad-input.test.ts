// The README's bad-input table, row by row: each input gets one clear line (or one JSON error)
// naming the problem and the fix, the exit code (or HTTP status) it promises, and nothing written.
// The last test keeps the table and these rows the same.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../status-site/app/app.ts';
import { localApprovals } from '../../status-site/access/approvers.ts';
import { main } from './program.ts';
import { resolveConfig } from '../config/config.ts';
import { parseEvent } from '../lambda/event.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { fixtureProject, REPO, type FixtureProject } from '../testing/fixture-project.ts';

interface Row {
  area: 'config' | 'CLI' | 'policy' | 'Lambda event' | 'API';
  /** What was given, as the README says it. */
  input: string;
  /** The message, as the README quotes it (a part of the line that names problem and fix). */
  message: string;
  /** Exit code, or HTTP status for API rows. */
  exit: number;
}

const RUN = '20990101T000000000Z-zzzz';

const CLI_ROWS: (Row & { args: string[]; env?: Record<string, string>; cwd?: string; snippet?: true })[] = [
  {
    area: 'config',
    input: '`store: { tabel: "x" }`',
    args: ['run', '--config', 'typo.config.ts'],
    message: 'typo.config.ts:1: unknown key "store.tabel"; did you mean "table"?',
    exit: 2,
  },
  {
    area: 'config',
    input: '`executors: { local: { workers: "2" } }`',
    args: ['run', '--config', 'string.config.ts'],
    message: 'executors.local.workers: expected a whole number (tests at once on this machine), got "2"',
    exit: 2,
  },
  {
    area: 'config',
    input: 'a config with a syntax error',
    args: ['run', '--config', 'broken.config.ts'],
    message: 'could not be loaded:',
    exit: 2,
  },
  {
    area: 'config',
    input: 'a config without `export default`',
    args: ['run', '--config', 'nodefault.config.ts'],
    message: 'export the config as default: export default defineConfig({ ... })',
    exit: 2,
  },
  {
    area: 'config',
    input: '`--config missing.ts`',
    args: ['run', '--config', 'missing.ts'],
    message: 'does not exist; pass an existing file to --config',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --workers 0`',
    args: ['run', '--workers', '0'],
    message: '--workers takes a whole number of 1 or more, e.g. --workers 2',
    exit: 2,
  },
  {
    area: 'CLI',
    input: "`run -j 0%` (Playwright's spelling, a share of the cores)",
    args: ['run', '-j', '0%'],
    message: '--workers takes a share of the cores from 1% to 100%, got 0%',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --shard 5/4`',
    args: ['run', '--shard', '5/4'],
    message: '--shard takes current/total with 1 ≤ current ≤ total, e.g. --shard 2/4; got "5/4"',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --workers 100000`',
    args: ['run', '--workers', '100000'],
    message: '--workers takes at most 256, got 100000: is it a typo?',
    exit: 2,
  },
  {
    area: 'CLI',
    input: "`run --base-url 'http://[::1'`",
    args: ['run', '--base-url', 'http://[::1'],
    message: '--base-url "http://[::1" is not an http(s) URL; pass e.g. https://test.example.com',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run` where Playwright is killed while listing',
    args: ['run'],
    cwd: 'killed',
    message: 'Playwright was killed by SIGKILL while listing the tests',
    exit: 3,
  },
  {
    area: 'CLI',
    input: '`digest /dev/null`',
    args: ['digest', '/dev/null'],
    message: "/dev/null is not a folder: uigate digest takes the release's folder, e.g. uigate digest dist",
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`doctor` without `--aws`',
    args: ['doctor'],
    message: 'uigate doctor checks an AWS account: run `uigate doctor --aws` with that account’s credentials',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`doctor --aws --site my-site`',
    args: ['doctor', '--aws', '--site', 'my-site'],
    message: '--site takes the site bucket as s3://<bucket>, with --site-url',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --module nope`',
    args: ['run', '--module', 'nope'],
    message: 'unknown module "nope"',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --project edge`',
    args: ['run', '--project', 'edge'],
    message: 'unknown project "edge"',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --grep "no such test"`',
    args: ['run', '--grep', 'no such test'],
    message: 'no tests selected',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run` where Playwright has no browser',
    args: ['run', '--config', 'nobrowser.config.ts'],
    env: { PLAYWRIGHT_BROWSERS_PATH: '/nonexistent/ms-playwright' },
    message:
      "no browser to run the tests in: chromium: Playwright's chromium is not installed — run `npx playwright install chromium`",
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run` on a machine with no browser at all',
    args: ['run', '--config', 'nobrowsers.config.ts'],
    message: 'no browser to run the tests in: chromium: not installed — install it with `apt-get install chromium`',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run` with @playwright/test 1.40.0',
    args: ['run'],
    cwd: 'old-playwright',
    message: '@playwright/test 1.40.0 is not supported: uigate works with 1.56 to 1.64',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`init` where the reporter is computed',
    args: ['init'],
    cwd: 'computed',
    message: "could not add uigate's reporter to playwright.config.ts safely: its reporter is an expression",
    exit: 2,
    snippet: true,
  },
  {
    area: 'CLI',
    input: '`init` outside a Playwright project',
    args: ['init'],
    cwd: 'tests',
    message: 'no Playwright config in',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --base-url ftp://x`',
    args: ['run', '--base-url', 'ftp://x'],
    message: 'is not an http(s) URL; pass e.g. https://test.example.com',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --executor edge`',
    args: ['run', '--executor', 'edge'],
    message: 'unknown executor "edge" (--executor); available: local, lambda, codebuild',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --resume ../x`',
    args: ['run', '--resume', '../x'],
    message: 'malformed run id "../x" (--resume)',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --rerun-failed ../x`',
    args: ['run', '--rerun-failed', '../x'],
    message: 'malformed run id "../x" (--rerun-failed)',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`run --rerun-failed <unknown>`',
    args: ['run', '--rerun-failed', RUN],
    message: `no run ${RUN} in the store (--rerun-failed)`,
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`gate --run <unknown>`',
    args: ['gate', '--run', RUN],
    message: `no run ${RUN} in the store`,
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`approve` without `--comment`',
    args: ['approve', '--run', RUN],
    message: '--comment is required: say why you approve (it goes into the audit trail)',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`verify --bake ten`',
    args: ['verify', '--release', RUN, '--target', 'local:p', '--alarm', 'a', '--bake', 'ten'],
    message: '--bake takes a duration such as 30s, 10m or 1h, not "ten"',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`verify --target ftp://x`',
    args: ['verify', '--release', RUN, '--target', 'ftp://x', '--alarm', 'a'],
    message: 'is not a production target: use local:<dir>, s3://<bucket>, lambda:<function>:<alias> or command:<name>',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`promote --target command:live` without `--deploy-command`',
    args: ['promote', '--release', RUN, '--target', 'command:live'],
    message:
      'command:live needs --deploy-command "<command>": what deploys a release\'s files ($UIGATE_RELEASE_DIR), run again with the last good release\'s to roll back',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`open` without `approval.url`',
    args: ['open'],
    message: 'approval.url (or UIGATE_APPROVAL_URL) is not set',
    exit: 2,
  },
  {
    area: 'CLI',
    input: '`pipeline` without `--local`',
    args: ['pipeline'],
    message: 'only --local is available here',
    exit: 2,
  },
  { area: 'CLI', input: 'an unknown command', args: ['deploy'], message: "unknown command 'deploy'", exit: 2 },
  {
    area: 'policy',
    input: '`gate: { maxFailure: 0 }`',
    args: ['gate', '--run', RUN, '--config', 'policy-typo.config.ts'],
    message: 'policy-typo.config.ts:3: unknown key "gate.maxFailure"; did you mean "maxFailures"?',
    exit: 2,
  },
  {
    area: 'policy',
    input: '`gate: { minPassRate: 1.5 }`',
    args: ['gate', '--run', RUN, '--config', 'policy-rate.config.ts'],
    message:
      'gate.minPassRate: expected a share from 0 to 1 (0.98), or one per browser ({ chromium: 1, firefox: 0.95 })',
    exit: 2,
  },
  {
    area: 'policy',
    input: '`approval: { approvers: "ana" }`',
    args: ['gate', '--run', RUN, '--config', 'approvers.config.ts'],
    message: 'approval.approvers: expected a list of approvers',
    exit: 2,
  },
];

const unit = {
  key: 'AAAAAAAAAAAAAAAAAAAAAA',
  file: 'a.spec.ts',
  line: 1,
  column: 1,
  titlePath: ['t'],
  project: 'chromium',
  module: 'a',
};
const event = {
  runId: RUN,
  batchId: 'b1',
  dispatch: 1,
  browser: 'chromium',
  units: [unit],
  store: { table: 'uigate' },
  artifacts: { dir: '/tmp/a' },
};

const EVENT_ROWS: (Row & { event: unknown })[] = [
  {
    area: 'Lambda event',
    input: 'an event without `runId`',
    event: { ...event, runId: undefined },
    message: 'malformed event: runId',
    exit: 0,
  },
  {
    area: 'Lambda event',
    input: 'a unit with `file: "../x.spec.ts"`',
    event: { ...event, units: [{ ...unit, file: '../x.spec.ts' }] },
    message: 'malformed event: units.0.file: must be relative to testDir, without ".."',
    exit: 0,
  },
  {
    area: 'Lambda event',
    input: '`browser: "firefox"`',
    event: { ...event, browser: 'firefox' },
    message: 'malformed event: browser: Lambda runs only chromium',
    exit: 0,
  },
];

const API_ROWS: (Row & { path: string; init?: RequestInit })[] = [
  {
    area: 'API',
    input: '`GET /api/runs/..%2Fetc`',
    path: '/api/runs/..%2Fetc',
    message: 'malformed run id',
    exit: 400,
  },
  {
    area: 'API',
    input: '`GET /api/runs?limit=0`',
    path: '/api/runs?limit=0',
    message: 'limit must be a whole number from 1 to 100',
    exit: 400,
  },
  { area: 'API', input: '`GET /api/runs/<unknown>`', path: `/api/runs/${RUN}`, message: `no run ${RUN}`, exit: 404 },
  {
    area: 'API',
    input: '`POST …/approval` without a token',
    path: `/api/runs/${RUN}/approval`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-uigate-request': 'approval' },
      body: '{}',
    },
    message: 'an approver token is required',
    exit: 401,
  },
  {
    area: 'API',
    input: '`POST …/approval` from another site',
    path: `/api/runs/${RUN}/approval`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-uigate-request': 'approval', origin: 'https://evil.example' },
      body: '{}',
    },
    message: 'cross-site request refused',
    exit: 403,
  },
  {
    area: 'API',
    input: '`POST …/approval` as a form',
    path: `/api/runs/${RUN}/approval`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-uigate-request': 'approval' },
      body: 'a=1',
    },
    message: 'send the decision as application/json',
    exit: 415,
  },
];

describe('bad input: one clear line, the promised exit code, nothing written', () => {
  let project: FixtureProject;
  before(async () => {
    project = await fixtureProject({
      'a.spec.ts': `import { test } from '@playwright/test';\ntest('works', () => {});\n`,
    });
    await project.write('typo.config.ts', `export default { store: { tabel: 'x' } };\n`);
    await project.write('string.config.ts', `export default { executors: { local: { workers: '2' } } };\n`);
    await project.write('broken.config.ts', `export default { store: { table: 'x' }\n`);
    await project.write('nodefault.config.ts', `export const config = {};\n`);
    await project.write('policy-typo.config.ts', `export default {\n  gate: {\n    maxFailure: 0,\n  },\n};\n`);
    await project.write('policy-rate.config.ts', `export default { gate: { minPassRate: 1.5 } };\n`);
    await project.write('approvers.config.ts', `export default { approval: { approvers: 'ana' } };\n`);
    await project.write(
      'nobrowser.config.ts',
      `export default { playwrightConfig: 'nobrowser.playwright.config.ts' };\n`,
    );
    await project.write(
      'nobrowser.playwright.config.ts',
      `export default { testDir: './tests', projects: [{ name: 'chromium', use: { browserName: 'chromium' } }] };\n`,
    );
    // What uigate's browser helper does on a machine with none: leaves every project out, and says which.
    await project.write(
      'nobrowsers.config.ts',
      `export default { playwrightConfig: 'nobrowsers.playwright.config.ts' };\n`,
    );
    await project.write(
      'nobrowsers.playwright.config.ts',
      "(globalThis as any)[Symbol.for('uigate.missingBrowsers')] = [{ project: 'chromium', message: 'chromium: not installed — install it with `apt-get install chromium`' }];\nexport default { testDir: './tests', projects: [] };\n",
    );
    await project.write(
      'computed/playwright.config.ts',
      `import { defineConfig } from '@playwright/test';\nexport default defineConfig({ reporter: process.env.CI ? 'github' : 'list' });\n`,
    );
    // Killed from outside while it lists (here by itself, as the OOM killer would).
    await project.write('killed/playwright.config.ts', `process.kill(process.pid, 'SIGKILL');\nexport default {};\n`);
    await project.write('old-playwright/package.json', `{ "name": "old", "private": true }\n`);
    await project.write('old-playwright/playwright.config.ts', `export default {};\n`);
    await project.write(
      'old-playwright/node_modules/@playwright/test/package.json',
      `{ "name": "@playwright/test", "version": "1.40.0" }\n`,
    );
  });
  after(() => project.remove());

  for (const row of CLI_ROWS) {
    it(`${row.area}: ${row.input}`, async () => {
      let out = '';
      let err = '';
      const stream = (append: (text: string) => void) =>
        new Writable({ write: (chunk, _e, done) => (append(String(chunk)), done()) });
      const home = join(project.dir, '.uigate-bad');
      const cwd = row.cwd ? join(project.dir, row.cwd) : project.dir;
      const code = await main(row.args, {
        cwd,
        env: { ...process.env, UIGATE_HOME: home, UIGATE_APPROVER: 'ana', ...row.env },
        stdout: stream((t) => (out += t)),
        stderr: stream((t) => (err += t)),
        tty: false,
        signal: new AbortController().signal,
      });
      assert.equal(code, row.exit, err + out);
      assert.ok(err.split('\n')[0]!.includes(row.message), `expected "${row.message}" on the first line of: ${err}`);
      // One line, or one line and then the exact lines to add where uigate will not edit a file itself.
      if (row.snippet) assert.match(err, /\['uigate\/reporter'\]/);
      else assert.equal(err.trim().split('\n').length, 1, `one line: ${err}`);
      // The store opens while the suite is listed: a refused run closes it again.
      assert.equal(existsSync(join(home, 'dynamodb', 'server.json')), false, 'no embedded store left running');
      const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
      try {
        assert.equal((await store.listRuns()).items.length, 0, 'no run written');
      } finally {
        await store.close();
      }
    });
  }

  for (const row of EVENT_ROWS) {
    it(`${row.area}: ${row.input}`, () => {
      assert.throws(
        () => parseEvent(row.event),
        (error: Error) => error.message.includes(row.message),
      );
    });
  }

  describe('API', () => {
    let app: ReturnType<typeof createApp>;
    let close: () => Promise<void>;
    before(async () => {
      const { store } = await openEmbeddedStore(join(project.dir, 'api-db'));
      close = () => store.close();
      app = createApp({
        store,
        approvals: localApprovals(
          resolveConfig({ approval: { approvers: ['ana'] } }, project.dir, { UIGATE_HOME: project.dir }),
          new Writable({ write: (_c, _e, d) => d() }),
        ),
      });
    });
    after(() => close());
    for (const row of API_ROWS) {
      it(`${row.area}: ${row.input}`, async () => {
        const response = await app.request(`http://127.0.0.1:7357${row.path}`, row.init);
        assert.equal(response.status, row.exit);
        assert.ok(((await response.json()) as { error: string }).error.includes(row.message));
      });
    }
  });

  it('is the table in the README, row for row', async () => {
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Bad input'));
    for (const row of [...CLI_ROWS, ...EVENT_ROWS, ...API_ROWS]) {
      const escaped = row.message.replace(/\|/g, '\\|');
      assert.ok(
        table.includes(`| ${row.area} | ${row.input} | ${escaped} |`),
        `README row for ${row.area}: ${row.input}`,
      );
    }
  });
});

export { CLI_ROWS, EVENT_ROWS, API_ROWS };
