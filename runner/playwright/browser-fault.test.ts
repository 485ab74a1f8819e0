import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunSummary } from '../report/summary.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { stored } from '../testing/stored-runs.ts';
import { browserVersion, tooOldBrowser } from './browser-fault.ts';

const BIDI = { channel: 'moz-firefox', launchOptions: { executablePath: '/usr/bin/firefox-esr' } };
const UNKNOWN = 'browser.newContext: Protocol error (network.addDataCollector): unknown command';

describe('a browser too old for Playwright', () => {
  it('is told apart from a test failure: only a BiDi command Firefox does not know, only over BiDi', () => {
    const line = tooOldBrowser({ message: UNKNOWN }, BIDI, () => 'Mozilla Firefox 140.5.0esr');
    assert.equal(
      line,
      '/usr/bin/firefox-esr (Mozilla Firefox 140.5.0esr) is too old for this Playwright: it does not know the WebDriver BiDi command "network.addDataCollector"; Firefox ESR 153 or later is needed — upgrade it with `sudo apt-get update && sudo apt-get install firefox-esr` (or point UIGATE_FIREFOX_PATH at a newer Firefox)',
    );
    assert.equal(tooOldBrowser({ message: 'expect(locator).toBeVisible() failed' }, BIDI), undefined);
    assert.equal(tooOldBrowser({ message: UNKNOWN }, { channel: 'chrome' }), undefined);
    assert.equal(tooOldBrowser(undefined, BIDI), undefined);
  });

  it("reads the browser's own version once", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-old-firefox-'));
    try {
      const fake = join(dir, 'firefox');
      await writeFile(fake, '#!/bin/sh\necho "Mozilla Firefox 140.5.0esr"\n');
      await chmod(fake, 0o755);
      assert.equal(browserVersion(fake), 'Mozilla Firefox 140.5.0esr');
      await writeFile(fake, '#!/bin/sh\necho "changed"\n');
      assert.equal(browserVersion(fake), 'Mozilla Firefox 140.5.0esr');
      assert.equal(browserVersion(join(dir, 'missing')), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('under uigate run', () => {
    let project: FixtureProject;
    before(async () => {
      // What Playwright reports when Firefox ESR 140 is driven: every test fails at its context.
      project = await fixtureProject(
        {
          'shop.spec.ts': `
import { test } from '@playwright/test';
test('adds to the cart', async () => {
  throw new Error(${JSON.stringify(UNKNOWN)});
});
`,
        },
        { projects: ['firefox'] },
      );
    });
    after(() => project.remove());

    it('records the unit errored with the one line, and exits 3 as for any infrastructure fault', async () => {
      const home = join(project.dir, '.uigate-old');
      const result = await project.uigate(['run', '--json', '--retries', '0'], { env: { UIGATE_HOME: home } });
      assert.equal(result.code, 3, result.stderr);
      const summary = JSON.parse(result.stdout) as RunSummary;
      assert.deepEqual(summary.counts, { errored: 1 });
      const [unit] = (await stored(home)).units;
      assert.equal(unit!.status, 'errored');
      assert.match(unit!.error!.message, /is too old for this Playwright: .*Firefox ESR 153 or later is needed/);
    });
  });
});
