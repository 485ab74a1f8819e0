// The tests' one fixture: a baseURL. Against a deployed site, BASE_URL (playwright.config.ts)
// names it; otherwise each worker serves tests/site/ itself on 127.0.0.1, so any number of
// Playwright processes can run side by side without fighting over a port.
import { test as base } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { serveStatic, type StaticServer } from '../runner/cli/pipeline/static-server.ts';

const siteDir = fileURLToPath(new URL('./site/', import.meta.url));

export const test = base.extend<Record<never, never>, { localSite: () => Promise<string> }>({
  localSite: [
    async ({}, use) => {
      let server: Promise<StaticServer> | undefined;
      await use(async () => (await (server ??= serveStatic(siteDir))).url);
      if (server) await (await server).close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ baseURL, localSite }, use) => {
    await use(baseURL ?? (await localSite()));
  },
});

export { expect } from '@playwright/test';
