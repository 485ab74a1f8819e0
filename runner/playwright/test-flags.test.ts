import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPlaywrightConfigName } from '../config/playwright-config-file.ts';
import { testFlagArgs, testFlagsFromText, testFlagsOf } from './test-flags.ts';

describe("Playwright's test flags", () => {
  it('are passed to playwright test in its own spelling, and only those given', () => {
    const flags = testFlagsOf({
      retries: 0,
      maxFailures: 3,
      trace: 'on',
      repeatEach: 2,
      timeout: 0,
      updateSnapshots: 'missing',
    });
    assert.deepEqual(testFlagArgs(flags), [
      ...['--retries', '0', '--max-failures', '3', '--trace', 'on', '--repeat-each', '2'],
      ...['--timeout', '0', '--update-snapshots', 'missing'],
    ]);
    assert.deepEqual(testFlagsOf({ trace: undefined, workers: 4, executor: ['local'] } as never), {});
  });

  it('cross to a worker as JSON, refused when Playwright would refuse them', () => {
    assert.deepEqual(testFlagsFromText('{"trace":"retain-on-failure"}', 'UIGATE_TEST_FLAGS'), {
      trace: 'retain-on-failure',
    });
    assert.deepEqual(testFlagsFromText(undefined, 'UIGATE_TEST_FLAGS'), {});
    assert.throws(() => testFlagsFromText('{"trace":"always"}', 'UIGATE_TEST_FLAGS'), /UIGATE_TEST_FLAGS: .*/);
    assert.throws(() => testFlagsFromText('{"headed":true}', 'UIGATE_TEST_FLAGS'), /UIGATE_TEST_FLAGS/);
    assert.throws(() => testFlagsFromText('{', 'UIGATE_TEST_FLAGS'), /is not JSON/);
  });

  it('-c takes a Playwright config by the names teams give them', () => {
    for (const name of ['playwright.config.ts', 'e2e/playwright.ci.config.mjs', 'playwright-ct.config.js'])
      assert.equal(isPlaywrightConfigName(name), true, name);
    for (const name of ['uigate.config.ts', 'uigate.playwright.config.ts', 'playwright.ts', 'configs/ci.ts'])
      assert.equal(isPlaywrightConfigName(name), false, name);
  });
});
