// Takes the status site's screenshots in docs/ from a seeded store: the runs list, a run page and
// the Releases page, a mono-repo candidate's changes since the live release, a release's visual
// review, at 1280 px and on a 390 px phone. Usage: node --import tsx scripts/screenshots.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { resolveConfig } from '../runner/config/config.ts';
import { decideVisual, openRequest } from '../runner/gate/approvals.ts';
import { evaluatePolicy } from '../runner/gate/policy.ts';
import { loadVisualReview } from '../runner/gate/visual-decisions.ts';
import { localApprovals } from '../status-site/access/approvers.ts';
import { startStatusServer } from '../status-site/hosting/server.ts';
import { seededStore, seedRun } from '../status-site/testing/seed.ts';
import { launchChromium } from '../status-site/testing/chromium.ts';
import { seedReleaseStory } from '../status-site/testing/release-story.ts';
import { REPO } from '../runner/testing/fixture-project.ts';

const seed = await seededStore();
const approvalConfig = resolveConfig({ approval: { approvers: ['ana'], authorMayApprove: true } }, seed.dir, {
  UIGATE_HOME: seed.dir,
});

/** An offer card as a browser draws it: the images of a screenshot change. */
async function offerImage(page: Page, colour: string, width = 320): Promise<Buffer> {
  await page.setViewportSize({ width, height: 140 });
  await page.setContent(
    `<body style="margin:0;font:16px system-ui"><div style="margin:16px;padding:20px;border-radius:8px;background:${colour};color:#fff">Green tea, 20 % off<br><small>until Sunday</small></div></body>`,
  );
  return page.screenshot();
}

/**
 * A release whose run changed the offer's colour in two browsers: through the gate into the
 * approval's visual review, one browser's change accepted, the other still to decide.
 */
async function seedVisualReview(): Promise<string> {
  const looks = ['chromium', 'firefox'].map((project) => ({
    file: 'offer.spec.ts',
    title: 'shows the offer',
    project,
    status: 'failed' as const,
    visual: 'changed' as const,
    error: 'expect(page).toHaveScreenshot(expected) failed',
  }));
  const runId = await seedRun(seed, looks, {
    trigger: 'codepipeline',
    branch: 'visual',
    commit: 'feed5eed12345678',
    commitMessage: 'Offer: the autumn colour',
  });
  const page = await browser.newPage();
  const units = await seed.store.getUnits(runId);
  for (const unit of units) {
    const [change] = unit.visual!;
    const images = {
      expected: await offerImage(page, '#1a7f37'),
      actual: await offerImage(page, '#bc4c00'),
      diff: await offerImage(page, '#ff00aa'),
    };
    for (const [which, key] of Object.entries({
      expected: change!.expected,
      actual: change!.actual,
      diff: change!.diff,
    }))
      await writeFile(join(seed.artifactsDir, key!), images[which as keyof typeof images]);
  }
  await page.close();
  const run = (await seed.store.getRun(runId))!;
  const gate = evaluatePolicy({ visualReview: true }, run, units);
  await openRequest({ store: seed.store, run, gate, settings: approvalConfig.approval, actor: 'codepipeline' });
  const read = (key: string) => readFile(join(seed.artifactsDir, key));
  const [first] = await loadVisualReview(seed.store, run, read);
  await decideVisual(
    { runId, approver: 'ana', comment: '', visual: { accept: [first!.fingerprint] } },
    { store: seed.store, settings: approvalConfig.approval, images: read },
  );
  return runId;
}
const story = await seedReleaseStory(seed);
const failing = await seedRun(
  seed,
  [
    { file: 'cart.spec.ts', title: 'adds an item', status: 'passed', durationMs: 900 },
    { file: 'cart.spec.ts', title: 'adds an item', project: 'firefox', status: 'passed', durationMs: 1300 },
    {
      file: 'checkout.spec.ts',
      title: 'pays with the saved card',
      project: 'firefox',
      status: 'failed',
      durationMs: 5200,
      error:
        "expect(locator).toBeVisible() failed\nLocator: getByRole('button', { name: 'Pay' })\nExpected: visible\nReceived: hidden",
      screenshot: true,
      trace: true,
    },
    { file: 'checkout.spec.ts', title: 'pays with the saved card', status: 'passed', durationMs: 3100 },
    {
      file: 'search.spec.ts',
      title: 'suggests as you type',
      status: 'flaky',
      durationMs: 1500,
      attempts: [
        {
          attempt: 1,
          status: 'failed',
          durationMs: 1400,
          error: { message: 'Timed out 5000ms waiting for suggestions' },
        },
        { attempt: 2, status: 'passed', durationMs: 1500 },
      ],
    },
    { file: 'search.spec.ts', title: 'suggests as you type', project: 'firefox', status: 'passed', durationMs: 1700 },
  ],
  { trigger: 'ci', commit: 'a1b2c3d4e5f60718', commitMessage: 'Pay with a saved card' },
);
// A mono-repo's candidate: what changed since the live release, and what tested each component.
const mono = await seedRun(
  seed,
  [
    { file: 'storefront.spec.ts', title: 'shows the offer', status: 'passed', durationMs: 800 },
    { file: 'checkout.spec.ts', title: 'totals the quantity', status: 'passed', durationMs: 1100 },
  ],
  {
    trigger: 'codepipeline',
    branch: 'release',
    commit: 'c0ffee1234567890',
    commitMessage: 'Checkout: round the total',
    selection: { changedSince: '9f1c2ab34d5e6f70', components: ['checkout'] },
    sinceRelease: {
      release: {
        target: 's3://mono-shop-production',
        releaseId: story.good,
        runId: story.good,
        commit: '9f1c2ab34d5e6f70',
      },
      commits: [
        { commit: 'c0ffee1234567890', subject: 'Checkout: round the total', components: ['checkout'] },
        { commit: 'b4dcafe987654321', subject: 'Storefront: new tea offer', components: ['web'] },
        { commit: 'a11ce55555555555', subject: 'Bump the lockfile', components: ['web', 'checkout'] },
      ],
      components: [
        { name: 'web', lastChange: 'b4dcafe987654321', state: 'never run' },
        { name: 'checkout', lastChange: 'c0ffee1234567890', state: 'passed', runId: story.good },
      ],
    },
  },
);
const browser = await launchChromium();
const visual = await seedVisualReview();
const server = await startStatusServer({
  store: seed.store,
  artifactsDir: seed.artifactsDir,
  approvals: localApprovals(approvalConfig, { write: () => true } as unknown as NodeJS.WritableStream),
});
const shots = [
  ['runs-list', '/'],
  ['run-page-release', `/runs/${story.broken}`],
  ['releases', '/releases'],
  ['run-page-failures', `/runs/${failing}`],
  ['run-page-since-release', `/runs/${mono}`],
  ['approval-visual-review', `/runs/${visual}`],
] as const;
try {
  for (const [name, path] of shots) {
    for (const phone of [false, true]) {
      const page = await browser.newPage(
        phone
          ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
          : { viewport: { width: 1280, height: 800 } },
      );
      await page.goto(new URL(path, server.url).href);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(500);
      const file = join(REPO, 'docs', `${name}${phone ? '-phone' : ''}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
  await seed.remove();
}
