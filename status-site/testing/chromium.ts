// Chromium for the status site's browser tests and bench, as the project resolves it (runner/playwright/browsers.ts).
import assert from 'node:assert/strict';
import { chromium, type Browser } from '@playwright/test';
import { isMissing, resolveBrowser } from '../../runner/playwright/browsers.ts';

export async function launchChromium(): Promise<Browser> {
  const resolved = resolveBrowser('chromium');
  assert.ok(!isMissing(resolved), `chromium is needed here: ${isMissing(resolved) ? resolved.message : ''}`);
  return chromium.launch(resolved.use.launchOptions);
}
