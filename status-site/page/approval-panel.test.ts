import assert from 'node:assert/strict';
import { expect, type Browser, type Page } from '@playwright/test';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../../runner/config/config.ts';
import { openRequest } from '../../runner/gate/approvals.ts';
import { evaluatePolicy } from '../../runner/gate/policy.ts';
import { localApprover } from '../../runner/gate/identity.ts';
import { localApprovals } from '../access/approvers.ts';
import { startStatusServer, type StatusServer } from '../hosting/server.ts';
import { seededStore, seedRun, type SeededStore } from '../testing/seed.ts';
import { launchChromium } from '../testing/chromium.ts';

const EVIL_COMMENT = '<img src=x onerror="window.__xss=1">looks fine';

describe('the approval panel in a real browser', () => {
  let seed: SeededStore;
  let server: StatusServer;
  let browser: Browser;
  let page: Page;
  let runId: string;
  let token: string;

  before(async () => {
    seed = await seededStore();
    const config = resolveConfig({ approval: { approvers: ['ana'], overriders: ['ana'] } }, seed.dir, {
      UIGATE_HOME: seed.dir,
    });
    token = (await localApprover(seed.dir, 'ana')).token;
    runId = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'failed', error: 'boom' }]);
    const gate = { passed: false, rules: [{ rule: 'failures', passed: false, measured: '1', threshold: '≤ 0' }] };
    await openRequest({
      store: seed.store,
      run: (await seed.store.getRun(runId))!,
      gate,
      settings: config.approval,
      actor: 'test',
    });
    server = await startStatusServer({
      store: seed.store,
      artifactsDir: seed.artifactsDir,
      approvals: localApprovals(config, { write: () => true } as unknown as NodeJS.WritableStream),
    });
    browser = await launchChromium();
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await seed?.remove();
  });

  it('shows the request next to the evidence: release, each gate rule, and the form', async () => {
    await page.goto(server.runUrl(runId));
    const panel = page.getByTestId('approval');
    await expect(panel.getByTestId('approval-state')).toHaveText('pending');
    await expect(panel).toContainText('commit 01234567');
    await expect(panel.locator('.rule-bad')).toHaveText('✘ failures: 1 (needs ≤ 0)');
    await expect(panel.getByText('Override the failed gate')).toBeVisible();
  });

  it('offers no form where the site takes no decisions, and says how to decide', async () => {
    const { createApp } = await import('../app/app.ts');
    const { serve } = await import('@hono/node-server');
    const { buildPage } = await import('../hosting/build.ts');
    const readOnly = createApp({ store: seed.store, page: () => buildPage() });
    const server = serve({ fetch: readOnly.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((ok) => server.once('listening', ok));
    try {
      const other = await browser.newPage();
      await other.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/runs/${runId}`);
      await expect(other.getByTestId('approval')).toContainText(`npx uigate approve --run ${runId}`);
      await expect(other.getByRole('button', { name: 'Approve' })).toHaveCount(0);
      await other.close();
    } finally {
      server.close();
    }
  });

  it("shows another approver's vote as it happens, keeping the comment being typed", async () => {
    const config = resolveConfig({ approval: { approvers: ['ana', 'bo'], requiredApprovals: 2 } }, seed.dir, {
      UIGATE_HOME: seed.dir,
    });
    // Another branch: a request on main would supersede the one the other tests decide on.
    const other = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }], {
      branch: 'release',
    });
    const gate = { passed: true, rules: [{ rule: 'failures', passed: true, measured: '0', threshold: '≤ 0' }] };
    const { view } = await openRequest({
      store: seed.store,
      run: (await seed.store.getRun(other))!,
      gate,
      settings: config.approval,
      actor: 'test',
    });
    const tab = await browser.newPage();
    await tab.goto(server.runUrl(other));
    const panel = tab.getByTestId('approval');
    await expect(panel.getByTestId('approval-state')).toHaveText('pending');
    const comment = panel.getByLabel('Comment');
    await comment.pressSequentially('checked the cart');
    // bo votes from the CLI: the vote reaches the store, not this page.
    const vote = {
      approver: 'bo',
      decision: 'approved',
      comment: 'lgtm',
      at: new Date().toISOString(),
      release: view.request!.release,
      gatePassed: true,
    };
    await seed.store.addEvent({ runId: other, at: vote.at, type: 'approval-vote', actor: 'bo', detail: vote });
    await expect(panel.locator('.votes')).toContainText('bo approved', { timeout: 15_000 });
    await expect(panel.getByTestId('approval-state')).toHaveText('pending');
    await expect(comment).toHaveValue('checked the cart');
    await expect(comment).toBeFocused();
    await comment.pressSequentially(' and the totals');
    await expect(comment).toHaveValue('checked the cart and the totals');
    await tab.close();
  });

  it('tells a forged token apart, and records nothing', async () => {
    const panel = page.getByTestId('approval');
    await panel.getByLabel('Approver token').fill('uig_' + 'x'.repeat(43));
    await panel.getByLabel('Comment').fill('ok');
    await panel.getByLabel('Override the failed gate').check();
    await panel.getByRole('button', { name: 'Approve' }).click();
    await expect(panel.getByRole('alert')).toContainText('an approver token is required');
    await expect(panel.getByTestId('approval-state')).toHaveText('pending');
    assert.equal((await seed.store.listEvents(runId)).filter((e) => e.type === 'approval-vote').length, 0);
  });

  it('approves with a real token and an override, and shows the comment as text on the timeline', async () => {
    const panel = page.getByTestId('approval');
    await panel.getByLabel('Approver token').fill(token);
    await panel.getByLabel('Comment').fill(EVIL_COMMENT);
    await panel.getByLabel('Override the failed gate').check();
    await panel.getByRole('button', { name: 'Approve' }).click();
    await expect(panel.getByTestId('approval-state')).toHaveText('approved');
    await expect(panel.locator('.votes')).toContainText(`ana approved (override)`);
    await expect(panel.locator('.votes q')).toHaveText(EVIL_COMMENT);
    await panel.getByText(/^Timeline/).click();
    await expect(panel.locator('.timeline')).toContainText('decided · ana · approved');
    assert.equal(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
    const [vote] = (await seed.store.listEvents(runId)).filter((e) => e.type === 'approval-vote');
    assert.equal(vote!.detail!.override, true);
  });

  it('shows where the release went: the timeline opens itself on a rollback', async () => {
    const at = (offset: number) => new Date(Date.now() + offset).toISOString();
    for (const [i, type, detail] of [
      [1, 'promoted', { releaseId: runId, target: 'local:/srv/prod', previous: 'r0' }],
      [2, 'alarm', { reason: 'uigate-smoke-failures is ALARM' }],
      [3, 'rollback-started', { from: runId, to: 'r0' }],
      [4, 'rollback-restored', { releaseId: 'r0', msFromAlarm: 900 }],
    ] as const)
      await seed.store.addEvent({ runId, at: at(i), type, actor: 'test', detail });
    await page.reload();
    const panel = page.getByTestId('approval');
    await expect(panel.getByTestId('release-state')).toHaveText('rolled back');
    await expect(panel.getByTestId('timeline')).toHaveAttribute('open', '');
    await expect(panel.getByTestId('timeline')).toContainText(
      'previous release restored · test · r0 live again, 0.9s after the alarm',
    );
  });

  it('shows what changed since the live release, by component, with the run that tested each, as text', async () => {
    const sinceRelease = {
      release: { target: 's3://live', releaseId: 'R0-release', runId: 'R0-release', commit: 'aaaaaaaa11111111' },
      commits: [
        { commit: 'cccccccc33333333', subject: EVIL_COMMENT, components: ['api'] },
        { commit: 'bbbbbbbb22222222', subject: 'cheaper tea', components: ['web'] },
      ],
      components: [
        { name: 'web', lastChange: 'bbbbbbbb22222222', state: 'passed' as const, runId: 'R-web' },
        { name: 'api', lastChange: 'cccccccc33333333', state: 'never run' as const },
      ],
    };
    const mono = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }], {
      branch: 'mono',
      sinceRelease,
    });
    const tab = await browser.newPage();
    await tab.goto(server.runUrl(mono));
    const since = tab.getByTestId('approval').getByTestId('since-release');
    await expect(since).toContainText('Live: release R0-release (commit aaaaaaaa) on s3://live · 2 commits since');
    await expect(since.locator('tr[data-component="web"]')).toHaveText(/web\s*bbbbbbbb\s*✓ passed · run R-web/);
    await expect(since.locator('tr[data-component="api"] td.rule-bad')).toHaveText('✘ never run');
    await expect(since.getByRole('link', { name: 'R-web' })).toHaveAttribute('href', '/runs/R-web');
    await since.locator('summary', { hasText: '2 commits' }).click();
    await expect(since.locator('.since-commits li').first()).toHaveText(`cccccccc ${EVIL_COMMENT} — api`);
    assert.equal(await tab.evaluate(() => (window as { __xss?: number }).__xss), undefined);
    await tab.close();
  });

  it('reviews screenshot changes: a row per screenshot, a cell per browser, decided by keyboard and click, approval refused until then', async () => {
    const config = resolveConfig({ approval: { approvers: ['ana'], authorMayApprove: true } }, seed.dir, {
      UIGATE_HOME: seed.dir,
    });
    const looks = ['chromium', 'firefox'].map((project) => ({
      file: 'home.spec.ts',
      title: 'looks right',
      project,
      status: 'failed' as const,
      visual: 'changed' as const,
      error: 'expect(page).toHaveScreenshot() failed',
    }));
    const visualRun = await seedRun(seed, looks, { branch: 'visual' });
    const run = (await seed.store.getRun(visualRun))!;
    const gate = evaluatePolicy({ visualReview: true }, run, await seed.store.getUnits(visualRun));
    await openRequest({ store: seed.store, run, gate, settings: config.approval, actor: 'test' });
    const errors: string[] = [];
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    tab.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    await tab.goto(server.runUrl(visualRun));
    const review = tab.getByTestId('visual-review');
    await expect(review.getByTestId('visual-undecided')).toHaveText('2 undecided');
    await expect(review.getByTestId('visual-row')).toHaveCount(1);
    await expect(review.getByTestId('visual-cell')).toHaveCount(2);
    const panel = tab.getByTestId('approval');
    await panel.getByLabel('Approver token').fill(token);
    await panel.getByLabel('Comment').fill('the new header');
    await panel.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(panel.getByRole('alert')).toContainText('2 screenshot changes have no decision yet');

    const [chromium, firefox] = [review.getByTestId('visual-cell').first(), review.getByTestId('visual-cell').last()];
    await chromium.focus();
    await tab.keyboard.press('v');
    await expect(chromium.getByRole('button', { name: 'expected' })).toHaveAttribute('aria-pressed', 'true');
    await tab.keyboard.press('a');
    await expect(review.getByTestId('visual-undecided')).toHaveText('1 undecided');
    await expect(chromium).toContainText('accepted by ana');
    await firefox.getByRole('button', { name: 'slider' }).click();
    await expect(firefox.getByRole('slider')).toBeVisible();
    await firefox.getByRole('button', { name: 'Accept' }).click();
    await expect(review.getByTestId('visual-undecided')).toHaveText('all decided');
    await panel.getByLabel('Comment').fill('the new header');
    await panel.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(panel.getByTestId('approval-state')).toHaveText('approved');

    await tab.setViewportSize({ width: 390, height: 844 });
    await expect(review.getByTestId('visual-cell')).toHaveCount(2);
    const overflow = await tab.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways on a phone by ${overflow} px`);
    // Chromium logs the refused approval above (409) as a failed resource; nothing else may be logged.
    assert.deepEqual(
      errors.filter((text) => !/status of 409/.test(text)),
      [],
    );
    await tab.close();
  });
});
