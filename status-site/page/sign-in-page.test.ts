// The sign-in link in a real browser: the page takes the token out of the fragment, trades it for
// the session cookie, and shows the run — with the token gone from the address bar.
import { expect, type Browser } from '@playwright/test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStatusServer, type StatusServer } from '../hosting/server.ts';
import { mintToken } from '../access/session.ts';
import { PNG, seededStore, seedRun, type SeededStore } from '../testing/seed.ts';
import { launchChromium } from '../testing/chromium.ts';

const SECRET = 'p'.repeat(64);
const ANA = 'arn:aws:sts::123456789012:assumed-role/ReleaseManager/ana@example.com';

describe('signing in to the status site with a link from uigate open', () => {
  let seed: SeededStore;
  let server: StatusServer;
  let browser: Browser;
  let runId: string;

  before(async () => {
    seed = await seededStore();
    runId = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }]);
    server = await startStatusServer({
      store: seed.store,
      artifactsDir: seed.artifactsDir,
      readAccess: { secret: async () => SECRET },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await seed?.remove();
  });

  it('shows nothing without a session, and the run after following the link', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.runUrl(runId));
    await expect(page.locator('.error-box')).toContainText('sign in first: `npx uigate open` prints a sign-in link');

    const link = `${server.url}/#${new URLSearchParams({ signin: mintToken(SECRET, ANA, 'link'), next: `/runs/${runId}` })}`;
    await page.goto(link);
    await expect(page.getByTestId('run-status')).toHaveText('passed');
    expect(page.url()).toBe(server.runUrl(runId));
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'uigate_session', httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await context.close();
  });

  it("shows the Playwright report's screenshots: the sandboxed report loads them by its capability URL, without our cookie", async () => {
    const report = join(seed.artifactsDir, runId, 'report');
    await mkdir(join(report, 'data'), { recursive: true });
    await writeFile(join(report, 'index.html'), '<!doctype html><img id="shot" src="data/shot.png">');
    await writeFile(join(report, 'data', 'shot.png'), PNG);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(
      `${server.url}/#${new URLSearchParams({ signin: mintToken(SECRET, ANA, 'link'), next: `/runs/${runId}` })}`,
    );
    await expect(page.getByTestId('run-status')).toHaveText('passed');
    await page.goto(`${server.url}/reports/${runId}/`);
    expect(page.url()).toMatch(new RegExp(`/reports/${runId}/~[^/]+/$`));
    await expect
      .poll(() => page.locator('#shot').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(4);
    await context.close();
  });

  it('says why when the link has expired, and goes nowhere else', async () => {
    const page = await browser.newPage();
    const expired = mintToken(SECRET, ANA, 'link', new Date(Date.now() - 600_000));
    await page.goto(`${server.url}/#${new URLSearchParams({ signin: expired, next: '//evil.example/' })}`);
    await expect(page.getByTestId('sign-in-error')).toContainText('this sign-in link is not valid or has expired');
    expect(page.url()).toBe(`${server.url}/`);
    await page.close();
  });
});
