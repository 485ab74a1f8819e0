import assert from 'node:assert/strict';
import { expect, type Browser, type Page } from '@playwright/test';
import { after, before, describe, it } from 'node:test';
import { startStatusServer, type StatusServer } from '../hosting/server.ts';
import { seededStore, type SeededStore } from '../testing/seed.ts';
import { launchChromium } from '../testing/chromium.ts';
import { RAW_REASON, seedReleaseStory, TARGET, type ReleaseStory } from '../testing/release-story.ts';

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
] as const;

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('releases on the status site, in a real browser', () => {
  let seed: SeededStore;
  let server: StatusServer;
  let browser: Browser;
  let story: ReleaseStory;
  const problems: string[] = [];

  before(async () => {
    seed = await seededStore();
    story = await seedReleaseStory(seed);
    server = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await seed?.remove();
  });

  async function open(viewport: (typeof VIEWPORTS)[number], path: string): Promise<Page> {
    const { name: _name, ...options } = viewport;
    const page = await browser.newPage(options);
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${path}: ${message.text()}`);
    });
    await page.goto(new URL(path, server.url).href);
    return page;
  }

  for (const viewport of VIEWPORTS) {
    describe(`at ${viewport.viewport.width} px (${viewport.name})`, () => {
      it('the Releases page says what is live, and what became of each release, with what to do', async () => {
        const page = await open(viewport, '/releases');
        await expect(page.getByTestId('live-now')).toContainText(`Live now: release ${story.good}`);
        await expect(page.getByTestId('live-now')).toContainText('verified');
        const broken = page.locator(`li[data-release="${story.broken}"]`);
        await expect(broken).toHaveAttribute('data-state', 'rolled back');
        await expect(broken.getByTestId('release-why')).toHaveText(
          'The alarm uigate-smoke-failures went off: smoke tests failed in production — 1 of its last 2 checks were at or above 1 (1 set it off).',
        );
        await expect(broken.getByTestId('what-now')).toContainText(`Production is back on ${story.good}. Fix forward`);
        await expect(broken).toContainText('approved by ana@example.com');
        await expect(broken).toContainText(`rolled back to ${story.good}`);
        // The raw words stay one click away, and the failed smoke run is a link.
        await expect(broken.locator('details.raw code')).toHaveText(RAW_REASON);
        await broken.getByRole('link', { name: story.smoke }).click();
        await expect(page).toHaveURL(new RegExp(`/runs/${story.smoke}$`));
        await page.goto(new URL('/releases', server.url).href);
        await expect(page.locator(`li[data-release="${story.good}"]`)).toHaveAttribute('data-state', 'verified');
        await expect(page.locator('.target-name')).toHaveText(TARGET);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.close();
      });

      it('the runs list marks the run whose release was rolled back, and keeps smoke runs behind a filter', async () => {
        const page = await open(viewport, '/');
        const row = (runId: string) => page.locator(`.run-row[data-run="${runId}"]`);
        await expect(row(story.broken).getByTestId('release-tag')).toHaveText('release rolled back');
        await expect(row(story.good).getByTestId('release-tag')).toHaveText('release verified');
        await expect(row(story.broken)).toContainText('Move the pay button');
        await expect(row(story.smoke)).toHaveCount(0);
        await page
          .getByTestId('run-filter')
          .getByRole('button', { name: /Smoke runs/ })
          .click();
        await expect(row(story.smoke)).toBeVisible();
        await expect(row(story.broken)).toHaveCount(0);
        expect(new URL(page.url()).searchParams.get('show')).toBe('smoke');
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.close();
      });

      it("the run's header shows its rolled-back release beside its passed tests, and the timeline says why in words", async () => {
        const page = await open(viewport, `/runs/${story.broken}`);
        await expect(page.getByTestId('run-status')).toHaveText('passed');
        await expect(page.getByTestId('run-release')).toHaveText('rolled back');
        const timeline = page.getByTestId('timeline');
        await expect(timeline).toContainText(
          'The alarm uigate-smoke-failures went off: smoke tests failed in production',
        );
        await expect(timeline.getByRole('link', { name: story.smoke })).toBeVisible();
        await expect(page.getByTestId('what-now')).toContainText(`Production is back on ${story.good}`);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.close();
      });
    });
  }

  it('logs no error in any of those pages', () => {
    assert.deepEqual(problems, []);
  });
});
