// Playwright's own HTML report, as people open it from the run page (`/reports/<runId>/`): a real
// report, made by Playwright from a suite with a passing and a failing test, served sandboxed by
// the status site and opened in Chromium. It must show its tests, with no error on the page.
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Browser } from '@playwright/test';
import { after, before, describe, it } from 'node:test';
import { fixtureProject, type FixtureProject } from '../../runner/testing/fixture-project.ts';
import { startStatusServer, type StatusServer } from '../hosting/server.ts';
import { launchChromium } from '../testing/chromium.ts';
import { seededStore, seedRun, type SeededStore } from '../testing/seed.ts';

describe("Playwright's HTML report on the status site", () => {
  let project: FixtureProject;
  let seed: SeededStore;
  let server: StatusServer;
  let browser: Browser;
  let runId: string;

  before(async () => {
    project = await fixtureProject({
      'cart.spec.ts': `
import { test, expect } from '@playwright/test';
test('adds an item to the cart', async () => { expect(1).toBe(1); });
test('pays with the saved card', async () => { expect('declined').toBe('paid'); });
`,
    });
    const report = join(project.dir, 'report');
    const made = await project.playwright(['--reporter=html', '--workers=1'], {
      PLAYWRIGHT_HTML_OUTPUT_DIR: report,
      PLAYWRIGHT_HTML_OPEN: 'never',
    });
    assert.equal(made.code, 1, made.stdout + made.stderr);
    seed = await seededStore();
    runId = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays with the saved card', status: 'failed' }]);
    await cp(report, join(seed.artifactsDir, runId, 'report'), { recursive: true });
    server = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await seed?.remove();
    await project?.remove();
  });

  it('shows the report with its tests, sandboxed, and no error on the page', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const response = await page.goto(`${server.url}/reports/${runId}/`);
    assert.match(response!.headers()['content-security-policy']!, /sandbox/, 'still sandboxed');
    await expect(page.getByText('adds an item to the cart')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByText('pays with the saved card')).toBeVisible();
    await page.getByText('pays with the saved card').click();
    await expect(page.getByText(/declined/).first()).toBeVisible();
    // The failure's page fetches its attachments (error-context.md), and they must arrive. Watched
    // from a page of its own, whose empty cache cannot answer them instead of the server.
    const fresh = await browser.newPage();
    fresh.on('pageerror', (error) => errors.push(error.message));
    fresh.on('requestfailed', (request) => errors.push(`failed: ${request.url()}`));
    const attachment = fresh.waitForResponse((r) => r.url().includes('/data/'), { timeout: 15_000 });
    await fresh.goto(`${server.url}/reports/${runId}/`);
    await fresh.getByText('pays with the saved card').click();
    await expect(fresh.getByText(/declined/).first()).toBeVisible();
    const arrived = await attachment;
    assert.equal(arrived.status(), 200, `the report fetched its attachment ${arrived.url()}`);
    await fresh.close();
    assert.deepEqual(errors, []);
  });

  it('lets an opaque origin read only the content-addressed attachments, nothing else of the site', async () => {
    const asSandboxed = (path: string) => fetch(`${server.url}${path}`, { headers: { origin: 'null' } });
    const data = await asSandboxed(`/reports/${runId}/data/${'a'.repeat(40)}.md`);
    assert.notEqual(data.status, 403, 'not refused as a foreign page');
    for (const path of [`/reports/${runId}/`, `/reports/${runId}/index.html`, `/api/runs/${runId}`]) {
      const refused = await asSandboxed(path);
      assert.equal(refused.status, 403, path);
      assert.equal(refused.headers.get('access-control-allow-origin'), null, path);
    }
  });
});
