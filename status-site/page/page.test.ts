import assert from 'node:assert/strict';
import { expect, type Browser, type Page } from '@playwright/test';
import { after, before, describe, it } from 'node:test';
import { startStatusServer, type StatusServer } from '../hosting/server.ts';
import { seededStore, seedRun, seedUnitRef, type SeededStore } from '../testing/seed.ts';
import { launchChromium } from '../testing/chromium.ts';

const EVIL_TITLE = '<img src=x onerror="window.__xss=1">Evil <b>bold</b>';
const EVIL_ERROR = 'Expected: <script>window.__xss2=1</script>\nReceived: nothing';

describe('the status page in a real browser', () => {
  let seed: SeededStore;
  let server: StatusServer;
  let browser: Browser;
  let page: Page;
  let runId: string;
  const pageErrors: string[] = [];

  before(async () => {
    seed = await seededStore();
    await seedRun(
      seed,
      [
        { file: 'form.spec.ts', title: 'validates the email', status: 'passed', durationMs: 800 },
        { file: 'form.spec.ts', title: 'saves', status: 'passed', durationMs: 1500 },
        { file: 'home.spec.ts', title: 'lists every page', project: 'firefox', status: 'passed' },
      ],
      {},
      new Date(Date.now() - 60_000),
    );
    runId = await seedRun(seed, [
      { file: 'home.spec.ts', title: 'lists every page', status: 'passed', durationMs: 700 },
      {
        file: 'form.spec.ts',
        title: 'saves',
        status: 'failed',
        durationMs: 2100,
        error: "expect(locator).toBeVisible() failed\nLocator: getByRole('button', { name: 'Submit' })",
        screenshot: true,
        trace: true,
      },
      {
        file: 'form.spec.ts',
        title: 'validates the email',
        status: 'flaky',
        durationMs: 900,
        attempts: [
          { attempt: 1, status: 'failed', durationMs: 850, error: { message: 'timed out' } },
          { attempt: 2, status: 'passed', durationMs: 900 },
        ],
      },
      { file: 'evil.spec.ts', title: EVIL_TITLE, status: 'failed', error: EVIL_ERROR },
      { file: 'home.spec.ts', title: 'lists every page', project: 'firefox', status: 'passed' },
    ]);
    await seed.store.updateRun(runId, { htmlReport: `${runId}/report/index.html` });
    server = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', () => assert.fail('a script from test output ran (dialog)'));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await seed?.remove();
    assert.deepEqual(pageErrors, [], 'the page threw');
  });

  it('shows the run with its module × browser matrix', async () => {
    await page.goto(server.runUrl(runId));
    await expect(page.getByTestId('run-status')).toHaveText('failed');
    const matrix = page.getByTestId('matrix');
    await expect(matrix.getByRole('columnheader')).toHaveText(['Module', 'chromium', 'firefox']);
    await expect(matrix.locator('td[data-module="form"][data-project="chromium"]')).toHaveAttribute(
      'data-status',
      'failed',
    );
    await expect(matrix.locator('td[data-module="home"][data-project="firefox"]')).toHaveAttribute(
      'data-status',
      'passed',
    );
    await expect(matrix.locator('td[data-module="form"][data-project="chromium"]')).toContainText('1/2');
    await expect(matrix.locator('td[data-module="form"][data-project="chromium"] .flaky-mark')).toHaveText(' ~1');
    await expect(page.getByTestId('run-selection')).toHaveCount(0);
    await expect(page.getByTestId('html-report')).toHaveAttribute('href', `/reports/${runId}/`);
    await expect(page.getByTestId('rerun')).toContainText(`npx uigate run --rerun-failed ${runId}`);
    // The progress bar's segments are sized through the CSSOM, which the CSP allows. Polled: the
    // page re-renders when the approval and changes arrive, and locator.evaluate resolves the element
    // before it measures it, so a re-render in between measures a detached segment (width 0).
    const failedShare = page.locator('.progress .seg.s-failed');
    await expect.poll(() => failedShare.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(10);
  });

  it('tells new failures from old ones: since the last full run on the branch', async () => {
    const changes = page.getByTestId('changes');
    await expect(changes).toContainText(
      '(the last full run on main, passed): 1 new failure 1 failing in its first run 0 failing before too 0 fixed',
    );
    await expect(page.locator('.unit-row', { hasText: 'saves' }).locator('.tag.new')).toHaveText('new');
    // A test the last full run did not have fails: never "nothing new", and never green.
    await expect(page.locator('.unit-row', { hasText: 'Evil' }).locator('.tag')).toHaveText('first run');
    await expect(changes.locator('.chip.s-passed')).toHaveCount(0);
  });

  it('opens a failed unit with its error, screenshot, trace and the command to open it', async () => {
    await page.getByRole('button', { name: /✘ saves/ }).click();
    const panel = page.getByTestId('unit-panel');
    await expect(panel.getByTestId('unit-error')).toContainText("getByRole('button', { name: 'Submit' })");
    const screenshot = panel.getByRole('img', { name: 'Screenshot: screenshot' });
    await expect(screenshot).toBeVisible();
    await expect.poll(() => screenshot.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(4);
    await expect(panel.getByRole('link', { name: 'Download trace' })).toHaveAttribute(
      'href',
      /\/artifacts\/.+\/1-trace\.zip$/,
    );
    await expect(panel.getByText('npx playwright show-trace 1-trace.zip')).toBeVisible();
    await expect(panel.getByTestId('unit-stats')).toContainText('2 runs · flaky 0 (0%) · failed 1 (50%)');
    await expect(panel.locator('svg.chart rect.bar')).toHaveCount(2);
    expect(page.url()).toContain(`?unit=${seedUnitRef({ file: 'form.spec.ts', title: 'saves' }).key}`);
  });

  it('marks a flaky unit and lists its attempts', async () => {
    await page.getByRole('button', { name: /validates the email/ }).click();
    const panel = page.getByTestId('unit-panel');
    await expect(panel.getByText('flaky: passed on attempt 2')).toBeVisible();
    await expect(panel.locator('.attempts li')).toHaveCount(2);
    await expect(panel.locator('.attempts li').first()).toContainText('timed out');
  });

  it('shows markup from a test title and error as literal text, never running it', async () => {
    await page.getByRole('button', { name: /Evil/ }).click();
    const panel = page.getByTestId('unit-panel');
    await expect(panel.getByRole('heading', { name: EVIL_TITLE })).toBeVisible();
    await expect(panel.getByTestId('unit-error')).toHaveText(EVIL_ERROR);
    expect(await page.locator('.unit-name b, .unit-panel b, img[src="x"], script:not([src])').count()).toBe(0);
    expect(
      await page.evaluate(() => [(window as { __xss?: number }).__xss, (window as { __xss2?: number }).__xss2]),
    ).toEqual([undefined, undefined]);
  });

  it('filters: failed only, by browser, by module', async () => {
    const matrix = page.getByTestId('matrix');
    await page.getByLabel('Failed only').check();
    await expect(matrix.locator('tbody th')).toHaveText(['evil', 'form']);
    await page.getByLabel('Failed only').uncheck();
    await page.getByRole('group', { name: 'Browsers' }).getByRole('button', { name: 'chromium' }).click();
    await expect(matrix.getByRole('columnheader')).toHaveText(['Module', 'firefox']);
    await page.getByRole('group', { name: 'Browsers' }).getByRole('button', { name: 'chromium' }).click();
    await page.getByLabel('Filter modules').fill('hom');
    await expect(matrix.locator('tbody th')).toHaveText(['home']);
  });

  it('lists runs newest first and links to them', async () => {
    await page.goto(server.url);
    const rows = page.getByTestId('runs').getByRole('link');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toHaveAttribute('data-run', runId);
    await rows.first().click();
    await expect(page).toHaveURL(server.runUrl(runId));
    await expect(page.getByTestId('matrix')).toBeVisible();
  });

  it('lists what went wrong most often lately, as text, each a link to the newest run where it did', async () => {
    await page.goto(server.url);
    const flaky = page.getByTestId('flaky-list');
    await expect(flaky.locator('h3')).toHaveText('Went wrong most often · last 2 finished runs on main');
    const items = flaky.locator('li');
    await expect(items).toHaveCount(3);
    await expect(items.nth(0)).toContainText('<img src=x onerror="window.__xss=1">Evil <b>bold</b>');
    // Failures before flaky passes at the same rate.
    await expect(items.nth(1)).toContainText('saves chromium ✘ failed 1/2');
    await expect(items.nth(2)).toContainText('validates the email chromium ~ flaky 1/2');
    await items.nth(1).getByRole('link').click();
    await expect(page).toHaveURL(
      `${server.runUrl(runId)}?unit=${seedUnitRef({ file: 'form.spec.ts', title: 'saves' }).key}`,
    );
    await expect(page.getByTestId('unit-panel')).toContainText('saves');
  });

  it('charts how recent runs went, and a bar opens its run', async () => {
    await page.goto(server.url);
    const trend = page.getByTestId('runs-trend');
    await expect(trend.locator('rect.bar')).toHaveCount(2);
    await expect(trend.locator('rect.bar').last()).toHaveClass(/s-failed/);
    await expect(trend).toContainText(
      /last 2 finished runs, oldest left · bar height: duration, the tallest 5(\.0)? s · 1 passed \(50%\) · median 5(\.0)? s/,
    );
    await trend.locator('rect.bar').last().click();
    await expect(page).toHaveURL(server.runUrl(runId));
    await expect(page.getByTestId('matrix')).toBeVisible();
  });

  it('shows a run whose process stopped saying it is alive as lost, with what to do, not as running', async () => {
    const lost = await seedRun(seed, [{ file: 'lost.spec.ts', title: 'one', status: 'queued' }], {
      status: 'running',
      heartbeatAt: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    await page.goto(server.runUrl(lost));
    const badge = page.getByTestId('run-status');
    await expect(badge).toHaveText('lost');
    await expect(badge).toHaveAttribute('title', new RegExp(`npx uigate run --resume ${lost}`));
    await page.goto(server.url);
    await expect(page.locator(`[data-run="${lost}"] .badge`)).toHaveText('lost');
    await expect(page.locator(`[data-run="${lost}"]`)).toContainText('no sign of life');
    await expect(page.locator(`[data-run="${lost}"]`)).not.toContainText('running…');
  });

  it('moves a cell from queued to passed while the run progresses, without a reload', async () => {
    const live = await seedRun(
      seed,
      [
        { file: 'live.spec.ts', title: 'one', status: 'queued' },
        { file: 'live.spec.ts', title: 'two', status: 'queued' },
      ],
      { status: 'running' },
    );
    await page.goto(server.runUrl(live));
    const cell = page.getByTestId('matrix').locator('td[data-module="live"]');
    await expect(cell).toHaveAttribute('data-status', 'queued');
    await expect(page.getByTestId('run-status')).toHaveText('running');
    const record = (title: string, status: 'running' | 'passed') =>
      seed.store.recordUnit({
        ...seedUnitRef({ file: 'live.spec.ts', title }),
        runId: live,
        status,
        seq: 1000,
        attempt: 1,
        durationMs: status === 'passed' ? 500 : undefined,
      });
    await record('one', 'running');
    await expect(cell).toHaveAttribute('data-status', 'running', { timeout: 10_000 });
    await record('one', 'passed');
    await record('two', 'passed');
    await seed.store.updateRun(live, { status: 'passed', finishedAt: new Date().toISOString(), durationMs: 3000 });
    await expect(cell).toHaveAttribute('data-status', 'passed', { timeout: 10_000 });
    await expect(cell).toContainText('2/2');
    await expect(page.getByTestId('run-status')).toHaveText('passed');
  });

  it('keeps the reader’s place while a live run updates: history, open stack, selection, scroll, focus, caret', async () => {
    // A failed unit to read while eight browsers' worth of others run: wide enough to scroll on a phone.
    const projects = [
      'chromium',
      'firefox',
      'webkit',
      'edge',
      'chrome-beta',
      'mobile-chrome',
      'mobile-safari',
      'tablet',
    ];
    const live = await seedRun(
      seed,
      [
        { file: 'wide.spec.ts', title: 'one', status: 'failed', error: 'expected the total\nto be 3' },
        ...projects
          .slice(1)
          .map((project) => ({ file: 'wide.spec.ts', title: 'two', project, status: 'queued' as const })),
      ],
      { status: 'running' },
    );
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.on('pageerror', (error) => pageErrors.push(error.message));
    let historyReads = 0;
    phone.on('request', (request) => void (request.url().includes('/history') && historyReads++));
    await phone.goto(`${server.runUrl(live)}?unit=${seedUnitRef({ file: 'wide.spec.ts', title: 'one' }).key}`);
    const panel = phone.getByTestId('unit-panel');
    await expect(panel.getByTestId('unit-stats')).toBeVisible();
    const cellOf = (project: string) => phone.getByTestId('matrix').locator(`td[data-project="${project}"]`);
    let step = 0;
    const update = async (project: string, status: 'running' | 'passed') => {
      await seed.store.recordUnit({
        ...seedUnitRef({ file: 'wide.spec.ts', title: 'two', project }),
        runId: live,
        status,
        seq: 1000 + ++step,
        attempt: 1,
      });
      await expect(cellOf(project)).toHaveAttribute('data-status', status, { timeout: 10_000 });
    };

    await panel.getByText('Stack').click();
    await phone.getByTestId('unit-error').evaluate((pre) => getSelection()!.selectAllChildren(pre));
    const wrap = phone.locator('.matrix-wrap');
    await wrap.evaluate((el) => el.scrollTo(200, 0));
    await expect.poll(() => wrap.evaluate((el) => el.scrollLeft)).toBeGreaterThan(100);
    const scrolled = await wrap.evaluate((el) => el.scrollLeft);
    await update('firefox', 'running');
    await expect(panel.locator('details')).toHaveAttribute('open', '');
    expect(await phone.evaluate(() => getSelection()!.toString())).toBe('expected the total\nto be 3');
    expect(await wrap.evaluate((el) => el.scrollLeft)).toBe(scrolled);
    expect(historyReads).toBe(1);

    // Typing in the filter while polls land: every key arrives, the caret stays where it was.
    const search = phone.getByLabel('Filter modules');
    await search.pressSequentially('wi');
    await update('firefox', 'passed');
    await search.press('ArrowLeft');
    await phone.keyboard.type('X');
    await expect(search).toHaveValue('wXi');
    await expect(search).toBeFocused();

    // A keyboard user on a matrix cell that the poll redraws stays on it.
    await search.fill('');
    await cellOf('webkit').getByRole('button').focus();
    await update('webkit', 'running');
    await expect(cellOf('webkit').getByRole('button')).toBeFocused();
    await phone.close();
  });

  it('tells a screen reader about new failures and the end of a run, not about every poll', async () => {
    const live = await seedRun(
      seed,
      [
        { file: 'heard.spec.ts', title: 'one', status: 'queued' },
        { file: 'heard.spec.ts', title: 'two', status: 'queued' },
      ],
      { status: 'running' },
    );
    await page.goto(server.runUrl(live));
    const announcer = page.getByRole('status');
    await expect(page.getByTestId('run-status')).toHaveText('running');
    // One live region on the page (the approval panel has its own once the run ends), kept across polls.
    await expect(page.locator('[aria-live], [role=status]')).toHaveCount(1);
    await expect(announcer).toHaveText('');
    await announcer.evaluate((el) => el.setAttribute('data-seen', 'yes'));
    const record = (title: string, status: 'failed' | 'passed') =>
      seed.store.recordUnit({
        ...seedUnitRef({ file: 'heard.spec.ts', title }),
        runId: live,
        status,
        seq: 1000,
        attempt: 1,
        durationMs: 500,
      });
    await record('one', 'failed');
    await expect(announcer).toHaveText('1 unit failed so far', { timeout: 10_000 });
    await record('two', 'passed');
    await seed.store.updateRun(live, { status: 'failed', finishedAt: new Date().toISOString(), durationMs: 3000 });
    await expect(announcer).toHaveText('Run failed: 1 passed, 1 failed', { timeout: 10_000 });
    await expect(announcer).toHaveAttribute('data-seen', 'yes');
  });

  it('keeps a runs-list row focused while the list refreshes around it', async () => {
    const live = await seedRun(seed, [{ file: 'rows.spec.ts', title: 'one', status: 'running' }], {
      status: 'running',
    });
    await page.goto(server.url);
    const row = page.locator(`a.run-row[data-run="${live}"]`);
    await row.focus();
    await seed.store.recordUnit({
      ...seedUnitRef({ file: 'rows.spec.ts', title: 'one' }),
      runId: live,
      status: 'passed',
      seq: 1000,
      attempt: 1,
      durationMs: 500,
    });
    await seed.store.updateRun(live, { status: 'passed', finishedAt: new Date().toISOString(), durationMs: 900 });
    await expect(row.locator('.badge')).toHaveText('passed', { timeout: 15_000 });
    await expect(row).toBeFocused();
  });

  it('keeps the runs list it has when a refresh fails, and says why it stopped moving', async () => {
    const own = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
    const tab = await browser.newPage();
    await tab.goto(own.url);
    const rows = tab.getByTestId('runs').getByRole('link');
    await expect(rows.first()).toBeVisible();
    const count = await rows.count();
    await own.close();
    await expect(tab.locator('.error-box')).toContainText('Could not load runs', { timeout: 15_000 });
    await expect(rows).toHaveCount(count);
    await tab.close();
  });

  it('asks nothing while the tab is hidden, and catches up as soon as it is seen again', async () => {
    const live = await seedRun(seed, [{ file: 'hidden.spec.ts', title: 'one', status: 'running' }], {
      status: 'running',
    });
    const polls: string[] = [];
    const runApi = `/api/runs/${encodeURIComponent(live)}`;
    page.on('request', (request) => void (new URL(request.url()).pathname === runApi && polls.push(request.url())));
    await page.goto(server.runUrl(live));
    await expect.poll(() => polls.length, { timeout: 10_000 }).toBeGreaterThan(1);
    // As a string: the test's compiler would name the getter with a helper the page does not have.
    const setHidden = (hidden: boolean) =>
      page.evaluate(
        `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} }); document.dispatchEvent(new Event('visibilitychange'))`,
      );
    await setHidden(true);
    await page.waitForTimeout(500); // a poll already under way may still land
    const before = polls.length;
    await page.waitForTimeout(4_000); // more than two poll intervals
    expect(polls.length).toBe(before);
    await seed.store.updateRun(live, { status: 'passed', finishedAt: new Date().toISOString(), durationMs: 900 });
    await setHidden(false);
    await expect(page.getByTestId('run-status')).toHaveText('passed');
  });

  it('works on a phone-sized screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${server.runUrl(runId)}?unit=${seedUnitRef({ file: 'form.spec.ts', title: 'saves' }).key}`);
    await expect(phone.getByTestId('unit-panel')).toBeVisible();
    await expect
      .poll(() => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
      .toBeLessThanOrEqual(0);
    await phone.close();
  });

  // Last: it seeds a newer run, which the runs list above would otherwise show first.
  it("brings a failure's panel into view when it is tapped on a phone, far down the list", async () => {
    const many = await seedRun(
      seed,
      Array.from({ length: 40 }, (_, i) => ({
        file: 'long.spec.ts',
        title: `checks the row number ${i} of a long list of rows`,
        status: 'failed' as const,
        error: `row ${i} was wrong`,
      })),
    );
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    phone.on('pageerror', (error) => pageErrors.push(error.message));
    await phone.goto(server.runUrl(many));
    // Settled: the changes line is the last part of the page to arrive.
    await expect(phone.getByTestId('changes')).toBeVisible();
    const last = phone.locator('.unit-row', { hasText: 'row number 39 of' });
    await last.tap();
    await expect(phone.locator('li.chosen .unit-row')).toHaveAttribute('data-key', /./);
    const panel = phone.getByTestId('unit-panel');
    await expect(panel).toContainText('row 39 was wrong');
    await expect(panel).toBeInViewport();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The run id on one line, and a title given the row's width, not squeezed to a word a line.
    const lines = (box: { height: number } | null, lineHeight: number) => Math.round(box!.height / lineHeight);
    const h1 = phone.locator('h1');
    const h1Line = await h1.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(lines(await h1.boundingBox(), h1Line)).toBe(1);
    const name = last.locator('.unit-name');
    expect((await name.boundingBox())!.width).toBeGreaterThan(250);
    await phone.close();
  });

  it('says how a narrowed run was narrowed, on its page and in the runs list, as text', async () => {
    const narrowed = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists every page', status: 'passed' }], {
      selection: { modules: ['home'], grep: '<img src=x onerror=alert(1)>' },
    });
    await page.goto(server.runUrl(narrowed));
    await expect(page.getByTestId('run-selection')).toHaveText(
      'narrowed: --module home --grep <img src=x onerror=alert(1)>',
    );
    await page.goto(server.url);
    const row = page.locator(`[data-run="${narrowed}"]`);
    await expect(row.locator('.tag.narrowed')).toHaveText('narrowed');
    await expect(row.locator('.tag.narrowed')).toHaveAttribute(
      'title',
      'narrowed: --module home --grep <img src=x onerror=alert(1)>',
    );
    await expect(page.locator(`[data-run="${runId}"] .tag`)).toHaveCount(0);
  });

  it('links a re-run of failures to the run it re-ran', async () => {
    const rerun = await seedRun(seed, [{ file: 'form.spec.ts', title: 'saves', status: 'passed' }], {
      selection: { rerunOf: runId },
    });
    await page.goto(server.runUrl(rerun));
    await expect(page.getByTestId('run-selection')).toContainText(`narrowed: --rerun-failed ${runId}`);
    await expect(page.getByTestId('rerun')).toHaveCount(0);
    await page.getByRole('link', { name: 'the run it re-ran' }).click();
    await expect(page).toHaveURL(server.runUrl(runId));
    await expect(page.getByTestId('run-status')).toHaveText('failed');
  });
  it("lists failures apart from flaky passes, each failure with its Expected and Received, and a flaky pass's failed attempt with its screenshot", async () => {
    const mixed = await seedRun(seed, [
      {
        file: 'cart.spec.ts',
        title: 'shows the total',
        status: 'failed',
        error:
          'expect(locator).toHaveText(expected) failed\n\nLocator: getByTestId(\'total\')\nExpected: "€12.00"\nReceived: "€0.00"\nTimeout: 5000ms',
      },
      {
        file: 'cart.spec.ts',
        title: 'adds an item',
        status: 'flaky',
        attempts: [
          { attempt: 1, status: 'failed', durationMs: 850, error: { message: 'Timed out waiting for the basket' } },
          { attempt: 2, status: 'passed', durationMs: 900 },
        ],
        attemptScreenshot: 1,
      },
    ]);
    await page.goto(server.runUrl(mixed));
    const failures = page.getByTestId('unit-list-failures');
    const flaky = page.getByTestId('unit-list-flaky');
    await expect(failures.locator('h2')).toHaveText('Failures (1)');
    await expect(flaky.locator('h2')).toHaveText('Flaky passes (1)');
    await expect(failures).not.toContainText('adds an item');
    await expect(flaky).not.toContainText('shows the total');
    await expect(failures.locator('.error-preview')).toContainText('Expected: "€12.00"\nReceived: "€0.00"');
    await flaky.getByRole('button', { name: /adds an item/ }).click();
    const shot = page.getByTestId('unit-panel').getByTestId('attempt-1-evidence').locator('img');
    await expect(shot).toBeVisible();
    await expect.poll(() => shot.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(4);
  });
  it('shows a failed screenshot comparison as Expected, Actual and Diff side by side, with how to accept it', async () => {
    const looked = await seedRun(seed, [
      {
        file: 'look.spec.ts',
        title: 'looks right',
        status: 'failed',
        error:
          'expect(page).toHaveScreenshot(expected) failed\n\n  1234 pixels (ratio 0.03 of all image pixels) are different.',
        visual: 'changed',
      },
    ]);
    await page.goto(server.runUrl(looked));
    await page.getByRole('button', { name: /looks right/ }).click();
    const visual = page.getByTestId('unit-panel').getByTestId('visual-changes');
    await expect(visual.locator('h3')).toHaveText('Failed visually only');
    await expect(visual).toContainText(
      'Screenshot changed — 1234 px differ (2.5%) · baseline tests/look.spec.ts-snapshots/look-chromium-linux.png',
    );
    for (const label of ['Expected', 'Actual', 'Diff']) {
      const image = visual.getByRole('img', { name: new RegExp(`^${label}: `) });
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(4);
    }
    await expect(visual.getByText(`npx uigate baselines --run ${looked} --write`)).toBeVisible();
    // The comparison's images are shown once, here, not again among the unit's screenshots.
    await expect(page.getByTestId('unit-panel').locator('.evidence img')).toHaveCount(0);
  });
  it('draws a long failure list a hundred rows at a time, and the rest on asking', async () => {
    const many = await seedRun(
      seed,
      Array.from({ length: 120 }, (_, i) => ({
        file: `m${i % 10}.spec.ts`,
        title: `case ${i}`,
        status: 'failed' as const,
        error: 'broken',
      })),
    );
    await page.goto(server.runUrl(many));
    const failures = page.getByTestId('unit-list-failures');
    await expect(failures.locator('h2')).toHaveText('Failures (120)');
    await expect(failures.locator('li')).toHaveCount(100);
    await failures.getByRole('button', { name: 'Show 20 more of 20' }).click();
    await expect(failures.locator('li')).toHaveCount(120);
    await expect(failures.getByRole('button', { name: /Show/ })).toHaveCount(0);
  });
});
