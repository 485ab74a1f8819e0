// uigate as users get it: `npm pack`, installed into a fresh project outside this repository that
// holds only @playwright/test and its own Playwright config and tests. `uigate init` wires it in,
// and every test's status on the status API equals its status under plain `npx playwright test`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { differences, statusesFromApi, statusesFromJsonReport } from './testing/conformance.ts';
import { REPO } from './testing/fixture-project.ts';
import { packUigate } from './testing/packed.ts';

const PLAYWRIGHT_VERSION = (
  JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies['@playwright/test']!;

// A user's own config: no uigate in it. This machine has no Playwright browsers, so it names Debian's Chromium itself.
const CONFIG = `import { defineConfig, devices } from '@playwright/test';

const chromium = { executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync'] };

export default defineConfig({
  testDir: './e2e',
  workers: 2,
  reporter: 'html',
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'setup', testMatch: /.*\\.setup\\.ts/, use: { launchOptions: chromium } },
    { name: 'Desktop Chrome', use: { ...devices['Desktop Chrome'], launchOptions: chromium }, dependencies: ['setup'] },
  ],
});
`;

const SPECS: Record<string, string> = {
  'e2e/auth.setup.ts': `import { test as setup } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
setup('authenticate', async ({ page }) => {
  await page.setContent('<input name="user"><button>Sign in</button>');
  await page.fill('input', 'ana');
  mkdirSync('playwright/.auth', { recursive: true });
  writeFileSync('playwright/.auth/user.json', JSON.stringify({ user: 'ana' }));
});
`,
  'e2e/checkout.spec.ts': `import { test, expect } from '@playwright/test';
let cart: string[] = [];
test.describe.serial('checkout', () => {
  test('add to cart', async ({ page }) => {
    await page.setContent('<button onclick="this.textContent=\\'1 item\\'">Add</button>');
    await page.getByRole('button').click();
    await expect(page.getByRole('button')).toHaveText('1 item');
    cart.push('shoe');
  });
  test('pay', async () => { expect(cart).toEqual(['shoe']); cart.push('paid'); });
  test('receipt', async () => { expect(cart).toEqual(['shoe', 'paid']); });
});
`,
  'e2e/search.spec.ts': `import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
test('finds shoes', async ({ page }) => {
  await page.setContent('<ul><li>shoes</li></ul>');
  await expect(page.getByText('shoes')).toBeVisible();
});
test('as the signed-in user', async () => { expect(readFileSync('playwright/.auth/user.json', 'utf8')).toContain('ana'); });
test('finds a size that is not there', async ({ page }) => {
  await page.setContent('<p>No results</p>');
  await expect(page.getByText('size 44')).toBeVisible({ timeout: 500 });
});
test.fixme('filters by size', async () => {});
`,
};

// A JavaScript project: its config a module (.mjs), a junit reporter of its own, specs in .mjs.
const JS_CONFIG = `import { defineConfig } from '@playwright/test';

const chromium = { executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync'] };

export default defineConfig({
  testDir: './e2e',
  reporter: [['list'], ['junit', { outputFile: 'results/junit.xml' }]],
  use: { launchOptions: chromium },
});
`;

const JS_SPECS: Record<string, string> = {
  'e2e/cart.spec.mjs': `import { test, expect } from '@playwright/test';
test('adds a shoe', async ({ page }) => {
  await page.setContent('<button onclick="this.textContent=\\'1 item\\'">Add</button>');
  await page.getByRole('button').click();
  await expect(page.getByRole('button')).toHaveText('1 item');
});
test('shows the total', async ({ page }) => {
  await page.setContent('<p id="total">€0.00</p>');
  await expect(page.locator('#total')).toHaveText('€12.00', { timeout: 500 });
});
test('empties the cart', async () => { expect([].length).toBe(0); });
`,
  'e2e/search.spec.mjs': `import { test, expect } from '@playwright/test';
test('finds shoes', async ({ page }) => {
  await page.setContent('<ul><li>shoes</li></ul>');
  await expect(page.getByText('shoes')).toBeVisible();
});
`,
};

describe('the packed package in a fresh project outside the repository', () => {
  let dir: string;
  let project: string;
  let jsProject: string;
  const run = (command: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(command, args, {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CI: '', NO_COLOR: '1', PLAYWRIGHT_HTML_OPEN: 'never', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-package-'));
    project = join(dir, 'shop');
    const tarball = await packUigate(dir);
    await mkdir(join(project, 'e2e'), { recursive: true });
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'shop', version: '1.0.0', private: true }, null, 2),
    );
    await writeFile(join(project, 'playwright.config.ts'), CONFIG);
    for (const [path, text] of Object.entries(SPECS)) await writeFile(join(project, path), text);
    jsProject = join(dir, 'shop-js');
    await mkdir(join(jsProject, 'e2e'), { recursive: true });
    await writeFile(
      join(jsProject, 'package.json'),
      JSON.stringify({ name: 'shop-js', version: '1.0.0', private: true, type: 'module' }, null, 2),
    );
    await writeFile(join(jsProject, 'playwright.config.mjs'), JS_CONFIG);
    for (const [path, text] of Object.entries(JS_SPECS)) await writeFile(join(jsProject, path), text);
    for (const folder of [project, jsProject])
      execFileSync(
        'npm',
        [
          'install',
          '-D',
          `@playwright/test@${PLAYWRIGHT_VERSION}`,
          tarball,
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--loglevel=error',
        ],
        { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] },
      );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('ships compiled JavaScript with type declarations, and none of the sample suite, benchmarks or tests', async () => {
    const installed = join(project, 'node_modules', 'uigate');
    for (const path of [
      'bin/uigate.js',
      'dist/runner/index.js',
      'dist/runner/index.d.ts',
      'dist/runner/playwright/reporter.js',
      'dist/runner/playwright/browsers.js',
      'dist/status-site/dist/index.html',
      'dist/cdk/index.js',
      'dist/cdk/index.d.ts',
    ])
      assert.ok(existsSync(join(installed, path)), path);
    for (const path of [
      'runner',
      'tests',
      'bench',
      'infra',
      'dist/runner/plan.test.js',
      'dist/runner/testing',
      'playwright.config.ts',
    ])
      assert.ok(!existsSync(join(installed, path)), `${path} is not shipped`);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      private?: boolean;
      peerDependencies: Record<string, string>;
    };
    assert.equal(manifest.private, undefined);
    // What npm would publish, as npm lists it.
    const listed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' }),
    ) as { files: { path: string }[] }[];
    const published = listed[0]!.files.map((file) => file.path);
    assert.deepEqual(
      published.filter((path) => /\.test\.|(^|\/)(bench|infra|testing|tests)\//.test(path)),
      [],
    );
    assert.ok(published.includes('LICENSE'), 'the license travels with the package');
    // One AWS SDK: uigate's ranges let npm share one copy with the project's own.
    const tree = JSON.parse(
      execFileSync('npm', ['ls', '@aws-sdk/client-s3', '@aws-sdk/core', '--all', '--json'], {
        cwd: project,
        encoding: 'utf8',
      }),
    ) as object;
    const versions = (name: string) =>
      new Set(JSON.stringify(tree).match(new RegExp(`"${name}":\\{"version":"[^"]+"`, 'g')));
    assert.equal(versions('@aws-sdk/client-s3').size, 1, JSON.stringify([...versions('@aws-sdk/client-s3')]));
    assert.match(manifest.peerDependencies['@playwright/test']!, /^>=1\.\d+\.0 <1\.65\.0$/);
  });

  it('gives every entry point its types under each TypeScript module resolution, node10 included', async () => {
    // A CommonJS TypeScript app as `cdk init` makes one resolves without "exports" (node10).
    await writeFile(
      join(project, 'types-node10.ts'),
      "import { defineConfig } from 'uigate';\nimport type UigateReporter from 'uigate/reporter';\n" +
        "import { SiteDeployment } from 'uigate/cdk';\nexport const all = [defineConfig, SiteDeployment] as const;\n" +
        'export type Reporter = UigateReporter;\n',
    );
    const tsc = spawnSync(
      process.execPath,
      [
        join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
        ...['--noEmit', '--module', 'commonjs', '--moduleResolution', 'node10', '--ignoreDeprecations', '6.0'],
        ...[
          '--target',
          'es2022',
          '--lib',
          'es2022,esnext.disposable,dom',
          '--skipLibCheck',
          '--strict',
          'types-node10.ts',
        ],
      ],
      { cwd: project, encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  it('uigate init wires it in, says what it changed, and changes nothing the second time', async () => {
    const first = run('npx', ['uigate', 'init']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /playwright\.config\.ts: reporter 'html' → \[\['html'\], \['uigate\/reporter'\]\]/);
    assert.match(first.stdout, /uigate\.config\.ts: created/);
    assert.match(first.stdout, /\.gitignore: created with \.uigate\//);
    assert.match(
      await readFile(join(project, 'playwright.config.ts'), 'utf8'),
      /reporter: \[\['html'\], \['uigate\/reporter'\]\],/,
    );
    const again = run('npx', ['uigate', 'init']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already set up here.*nothing to change/);
  });

  it('every test has the same status under uigate run as under plain npx playwright test — serial group and setup project included', async () => {
    const plain = run('npx', ['playwright', 'test', '--reporter=json']);
    const playwright = statusesFromJsonReport(JSON.parse(plain.stdout));
    assert.equal(playwright.size, 8, plain.stderr);
    const result = run('npx', ['uigate', 'run', '--json', '--no-serve']);
    assert.equal(result.status, 1, `one test fails on purpose: ${result.stderr.slice(-3000)}`);
    const summary = JSON.parse(result.stdout) as { runId: string; total: number };
    assert.equal(summary.total, 8, 'the setup test is one unit, not one per batch');
    // The project's own html reporter ran once over the run, its TypeScript config loaded as Playwright loads it.
    assert.doesNotMatch(result.stderr, /could not run over the whole run/);
    assert.ok(existsSync(join(project, 'playwright-report', 'index.html')), 'its html report is where its config says');
    assert.deepEqual(differences(playwright, await statusesFromApi(join(project, '.uigate'), summary.runId)), []);
  });

  it("records a plain npx playwright test through the reporter init added, the project's own reporters printing as before", async () => {
    const plain = run('npx', ['playwright', 'test', '--reporter=list,uigate/reporter']);
    assert.match(plain.stdout, /✓ .*\[setup\] › e2e\/auth\.setup\.ts/);
    assert.match(plain.stderr, /uigate: recorded run \S+: failed, 8 units/);
  });

  it('in a JavaScript project (playwright.config.mjs) with a junit reporter of its own, `uigate run file:line` runs those tests, writes its junit file, and gives their statuses as `npx playwright test` does', async () => {
    const inJs = (command: string, args: string[]) =>
      spawnSync(command, args, {
        cwd: jsProject,
        encoding: 'utf8',
        env: { ...process.env, CI: '', NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const said = inJs('npx', ['uigate', '--version']);
    assert.equal(said.stdout.trim(), version, said.stderr);
    const init = inJs('npx', ['uigate', 'init']);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stdout, /uigate\.config\.mjs: created, naming playwright\.config\.mjs/);
    const filters = ['e2e/cart.spec.mjs:2', 'e2e/cart.spec.mjs:7', 'search'];
    const junit = join(jsProject, 'results', 'junit.xml');
    const plain = inJs('npx', ['playwright', 'test', ...filters, '--reporter=json']);
    const playwright = statusesFromJsonReport(JSON.parse(plain.stdout));
    assert.equal(playwright.size, 3, plain.stderr);
    await rm(junit, { force: true });
    const result = inJs('npx', ['uigate', 'run', ...filters, '--json', '--no-serve']);
    assert.equal(result.status, plain.status, result.stderr.slice(-3000));
    const summary = JSON.parse(result.stdout) as { runId: string; total: number };
    assert.equal(summary.total, 3, 'exactly the selected tests');
    assert.deepEqual(differences(playwright, await statusesFromApi(join(jsProject, '.uigate'), summary.runId)), []);
    // The project's own reporter ran once, over the whole run.
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /<testsuites [^>]*tests="3" failures="1"/);
    assert.match(xml, /<testcase name="shows the total"/);
    assert.doesNotMatch(xml, /<testcase name="empties the cart"/);
  });
});
