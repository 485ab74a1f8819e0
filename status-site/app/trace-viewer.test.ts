import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser } from '@playwright/test';
import { after, before, describe, it } from 'node:test';
import { createApp } from './app.ts';
import { startStatusServer, type StatusServer } from '../hosting/server.ts';
import { seededStore, seedRun, seedUnitRef, type SeededStore } from '../testing/seed.ts';
import { pagePolicy, policyHeader, traceViewerPolicy } from './policies.ts';
import { traceViewerDir } from './trace-viewer.ts';
import { launchChromium } from '../testing/chromium.ts';

// The app under test is not trusted: its page tries to run script in the snapshot the viewer shows.
const APP_UNDER_TEST = `<button onclick="this.textContent='Saved'">Save</button>
<img src="x" onerror="top.__pwned = 'onerror'"><script>top.__pwned = 'script'</script>`;

describe("Playwright's trace viewer on the status site", () => {
  let seed: SeededStore;
  let server: StatusServer;
  let browser: Browser;
  let scratch: string;
  let runId: string;
  const unit = { file: 'form.spec.ts', title: 'saves' };

  before(async () => {
    browser = await launchChromium();
    // A real trace, recorded as Playwright's own trace: 'on' would.
    scratch = await mkdtemp(join(tmpdir(), 'uigate-trace-'));
    const context = await browser.newContext();
    await context.tracing.start({ screenshots: true, snapshots: true });
    const recorded = await context.newPage();
    await recorded.setContent(APP_UNDER_TEST);
    await recorded.getByRole('button', { name: 'Save' }).click();
    await context.tracing.stop({ path: join(scratch, 'trace.zip') });
    await context.close();

    seed = await seededStore();
    runId = await seedRun(seed, [{ ...unit, status: 'failed', error: 'expected Saved', trace: true }]);
    await writeFile(
      join(seed.artifactsDir, runId, seedUnitRef(unit).key, '1-trace.zip'),
      await readFile(join(scratch, 'trace.zip')),
    );
    server = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await seed?.remove();
    await rm(scratch, { recursive: true, force: true });
  });

  it("opens a unit's trace in the browser from its panel: actions and the DOM snapshot, the app's scripts inert", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.runUrl(runId)}?unit=${seedUnitRef(unit).key}`);
    const [viewer] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('link', { name: 'Open trace' }).click(),
    ]);
    const errors: string[] = [];
    viewer.on('pageerror', (error) => errors.push(error.message));
    await expect(viewer.getByText(/getByRole\('button', \{ name: 'Save' \}\)/).first()).toBeVisible({
      timeout: 20_000,
    });
    await viewer.getByText('Click', { exact: true }).first().click();
    // The snapshot of the page at that action, rendered from the trace by the viewer's service worker.
    await expect
      .poll(
        async () => {
          for (const frame of viewer.frames()) {
            if (
              await frame
                .getByRole('button', { name: /^Save/ })
                .count()
                .catch(() => 0)
            )
              return true;
          }
          return false;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    assert.equal(
      await viewer.evaluate(() => (window as { __pwned?: string }).__pwned),
      undefined,
      'a script of the app under test ran in the viewer',
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('will not load a trace from another origin, whatever the link says', async () => {
    // A real trace on another server: a crafted link must not make the viewer fetch or show it.
    let asked = 0;
    const { createServer } = await import('node:http');
    const zip = await readFile(join(scratch, 'trace.zip'));
    const elsewhere = createServer((_, response) => {
      asked++;
      response.writeHead(200, { 'content-type': 'application/zip', 'access-control-allow-origin': '*' }).end(zip);
    }).listen(0, '127.0.0.1');
    await new Promise((ok) => elsewhere.once('listening', ok));
    try {
      const page = await browser.newPage();
      const foreign = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/trace.zip`;
      await page.goto(`${server.url}/trace/index.html?trace=${encodeURIComponent(foreign)}`);
      await page.waitForTimeout(3_000);
      await expect(page.getByText(/getByRole\('button', \{ name: 'Save' \}\)/)).toHaveCount(0);
      assert.equal(asked, 0, 'the other origin was asked for the trace');
      await page.close();
    } finally {
      elsewhere.close();
    }
  });

  it('serves the viewer under its own policy, and only the files Playwright ships', async () => {
    const app = createApp({ store: seed.store, traceViewer: traceViewerDir() });
    const index = await app.request('/trace/index.html');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-security-policy'), policyHeader(traceViewerPolicy()));
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    const worker = await app.request('/trace/sw.bundle.js');
    assert.match(worker.headers.get('content-type') ?? '', /^text\/javascript/);
    for (const path of [
      '/trace/../package.json',
      '/trace/%2e%2e/package.json',
      '/trace/..%2fpackage.json',
      '/trace/nothing.js',
      '/trace/index.html%00.js',
    ]) {
      assert.equal((await app.request(path)).status, 404, path);
    }
    // Everything else keeps the page's stricter policy: no inline styles, no frames.
    assert.equal((await app.request('/api/runs')).headers.get('content-security-policy'), policyHeader(pagePolicy()));
    assert.doesNotMatch(policyHeader(pagePolicy()), /unsafe-inline|frame-src/);
  });
});
