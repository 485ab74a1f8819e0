import { defineConfig, devices } from '@playwright/test';

// In a pipeline the site under test is the component's environment (TEST_SITE_URL); here, dist/.
const baseURL = process.env.TEST_SITE_URL || 'http://127.0.0.1:4173';

export default defineConfig({
  testDir: 'tests',
  retries: process.env.CI ? 1 : 0,
  use: { baseURL, trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'] } },
    { name: 'firefox', use: { ...devices['Desktop Firefox'] } },
  ],
  webServer: process.env.TEST_SITE_URL
    ? undefined
    : { command: 'npm run build && node scripts/serve.mjs', url: baseURL, reuseExistingServer: true },
});
