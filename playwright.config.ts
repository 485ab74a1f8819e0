import { defineConfig } from '@playwright/test';
import { browserProjects } from './runner/playwright/browsers.ts';

// uigate reads this file for projects, retries and timeouts; it does not duplicate them.
// Every run is recorded in uigate's store by the uigate reporter (UIGATE_REPORT=off to skip).
export default defineConfig({
  testDir: './tests',
  testMatch: '**/*.spec.ts',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  retries: process.env.CI ? 1 : 0,
  workers: process.env.UIGATE_WORKERS ? Number(process.env.UIGATE_WORKERS) : undefined,
  reporter: [['list'], ['./runner/playwright/reporter.ts']],
  use: {
    // Unset: each worker serves tests/site/ itself (tests/fixtures.ts).
    baseURL: process.env.BASE_URL || undefined,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // Video needs Playwright's own ffmpeg build; without internet it cannot be installed.
    video: 'off',
  },
  projects: browserProjects(),
});
