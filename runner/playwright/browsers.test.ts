import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMissing, QUIET_CHROMIUM_ARGS, resolveBrowser, resolveBrowsers, type BrowserName } from './browsers.ts';

const bundledPath = (name: BrowserName) => `/pw/${name}/bin`;
const withFiles = (...files: string[]) => ({ env: {}, exists: (path: string) => files.includes(path), bundledPath });

describe('resolveBrowser', () => {
  it("prefers Playwright's own build when it is installed", () => {
    const browser = resolveBrowser('firefox', withFiles('/pw/firefox/bin', '/usr/bin/firefox-esr'));
    assert.ok(!isMissing(browser));
    assert.equal(browser.source, 'playwright');
    assert.deepEqual(browser.use, { browserName: 'firefox' });
  });

  it('drives system Firefox ESR over WebDriver BiDi (moz-firefox channel)', () => {
    const browser = resolveBrowser('firefox', withFiles('/usr/bin/firefox-esr'));
    assert.ok(!isMissing(browser));
    assert.deepEqual(browser.use, {
      browserName: 'firefox',
      channel: 'moz-firefox',
      launchOptions: { executablePath: '/usr/bin/firefox-esr' },
    });
  });

  it('starts system Chromium with the flags that keep it off the network', () => {
    const browser = resolveBrowser('chromium', withFiles('/usr/bin/chromium'));
    assert.ok(!isMissing(browser));
    assert.equal(browser.executablePath, '/usr/bin/chromium');
    assert.deepEqual(browser.use.launchOptions?.args, QUIET_CHROMIUM_ARGS);
  });

  it('takes an explicit path from the environment, and says when it is wrong', () => {
    const ok = resolveBrowser('chromium', {
      ...withFiles('/opt/chrome'),
      env: { UIGATE_CHROMIUM_PATH: '/opt/chrome' },
    });
    assert.ok(!isMissing(ok) && ok.source === 'env');
    const bad = resolveBrowser('chromium', { ...withFiles(), env: { UIGATE_CHROMIUM_PATH: '/nope' } });
    assert.ok(isMissing(bad));
    assert.match(bad.message, /UIGATE_CHROMIUM_PATH=\/nope does not exist/);
  });

  it('names a missing browser and how to install it, in one line', () => {
    const { found, missing } = resolveBrowsers(withFiles('/usr/bin/chromium'));
    assert.deepEqual(
      found.map((b) => b.name),
      ['chromium'],
    );
    assert.deepEqual(
      missing.map((b) => b.name),
      ['firefox', 'webkit'],
    );
    assert.match(missing[0]!.message, /apt-get install firefox-esr/);
    assert.match(missing[1]!.message, /npx playwright install --with-deps webkit/);
    for (const browser of missing) assert.ok(!browser.message.includes('\n'));
  });
});
