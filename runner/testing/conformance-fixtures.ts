// Fixture projects for the conformance suite, one per piece of Playwright's semantics that a
// dispatcher could get wrong. Each would pass (or fail) differently if uigate split a group,
// ran a setup project twice into the matrix, started a web server twice, or lost a retry.
import type { ConformanceFixture } from './conformance.ts';

const TEST = `import { test, expect } from '@playwright/test';\n`;

/** Tests that check they ran in order in one worker: they fail if their file or group is split. */
const ordered = (name: string, count: number) => `${TEST}
const ran: number[] = [];
${Array.from(
  { length: count },
  (_, i) => `test('${name} ${i + 1}', async () => {
  expect(ran).toEqual(${JSON.stringify(Array.from({ length: i }, (_, k) => k + 1))});
  ran.push(${i + 1});
});`,
).join('\n')}
`;

export const FIXTURES: Record<string, ConformanceFixture & { args?: string[] }> = {
  'serial groups with shared state': {
    config: `projects: [chromium],`,
    files: {
      'tests/checkout.spec.ts': `${TEST}
let cart: string[] = [];
test.describe.serial('checkout flow', () => {
  test('adds an item', async ({ page }) => {
    await page.setContent('<button onclick="this.textContent=\\'added\\'">add</button>');
    await page.getByRole('button').click();
    await expect(page.getByRole('button')).toHaveText('added');
    cart.push('item');
  });
  test('pays for it', async () => { expect(cart).toEqual(['item']); cart.push('paid'); });
  test('sees the receipt', async () => { expect(cart).toEqual(['item', 'paid']); });
});
`,
      'tests/configured.spec.ts': `${TEST}
test.describe.configure({ mode: 'serial' });
let step = 0;
test('step one', async () => { step = 1; });
test('step two', async () => { expect(step).toBe(1); step = 2; });
test('step three', async () => { expect(step).toBe(2); });
test('step four fails', async () => { expect(step).toBe(99); });
test('step five is skipped after it', async () => {});
`,
      'tests/filler-a.spec.ts': `${TEST}test('a1', async () => {});\ntest('a2', async () => {});\n`,
      'tests/filler-b.spec.ts': `${TEST}test('b1', async () => {});\ntest('b2', async () => {});\n`,
    },
  },
  'default-mode files keep their tests in order, with beforeAll state': {
    config: `projects: [chromium],`,
    files: {
      'tests/one.spec.ts': ordered('one', 4),
      'tests/two.spec.ts': `${TEST}
let opened = 0;
test.beforeAll(() => { opened++; });
for (const n of [1, 2, 3, 4]) test('two ' + n, async () => { expect(opened).toBe(1); });
`,
      'tests/three.spec.ts': ordered('three', 3),
    },
  },
  'fullyParallel, with serial groups and beforeAll hooks inside': {
    config: `fullyParallel: true,\n  projects: [chromium],`,
    files: {
      'tests/independent.spec.ts': `${TEST}
for (const n of [1, 2, 3, 4, 5]) test('independent ' + n, async () => { expect(n).not.toBe(4); });
`,
      'tests/serial-inside.spec.ts': `${TEST}
let state = 0;
test.describe.serial('inside a parallel file', () => {
  test('first', async () => { state = 1; });
  test('second', async () => { expect(state).toBe(1); });
});
test('alone', async () => {});
`,
      'tests/hooks.spec.ts': `${TEST}
let ready = false;
test.beforeAll(() => { ready = true; });
for (const n of [1, 2, 3]) test('hooked ' + n, async () => { expect(ready).toBe(true); });
`,
      'tests/locked.spec.ts': `${TEST}
import { existsSync, rmSync, writeFileSync } from 'node:fs';
const marker = 'locked.marker';
for (const n of [1, 2]) {
  test('holds the lock ' + n, { lock: 'marker' }, async () => {
    expect(existsSync(marker)).toBe(false);
    writeFileSync(marker, String(n));
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(marker);
  });
}
`,
    },
  },
  'a setup project and its teardown': {
    config: `projects: [
    { name: 'setup', testMatch: /global\\.setup\\.ts/, teardown: 'cleanup' },
    { name: 'cleanup', testMatch: /global\\.teardown\\.ts/ },
    { ...chromium, dependencies: ['setup'], testIgnore: /global\\.(setup|teardown)\\.ts/ },
  ],`,
    files: {
      'tests/global.setup.ts': `import { test as setup } from '@playwright/test';
import { writeFileSync } from 'node:fs';
setup('signs in', async () => { writeFileSync('state.json', JSON.stringify({ user: 'ana' })); });
`,
      'tests/global.teardown.ts': `import { test as teardown } from '@playwright/test';
import { rmSync } from 'node:fs';
teardown('signs out', async () => { rmSync('state.json', { force: true }); });
`,
      'tests/account.spec.ts': `${TEST}
import { readFileSync } from 'node:fs';
test('sees the signed-in user', async () => { expect(JSON.parse(readFileSync('state.json', 'utf8')).user).toBe('ana'); });
test('still signed in', async () => { expect(readFileSync('state.json', 'utf8')).toContain('ana'); });
`,
      'tests/orders.spec.ts': `${TEST}
import { readFileSync } from 'node:fs';
test('orders as the user', async () => { expect(readFileSync('state.json', 'utf8')).toContain('ana'); });
`,
    },
  },
  'a failing setup project skips its dependents': {
    config: `projects: [
    { name: 'setup', testMatch: /broken\\.setup\\.ts/ },
    { ...chromium, dependencies: ['setup'], testIgnore: /broken\\.setup\\.ts/ },
  ],`,
    files: {
      'tests/broken.setup.ts': `import { test as setup, expect } from '@playwright/test';\nsetup('cannot sign in', async () => { expect('no').toBe('yes'); });\n`,
      'tests/a.spec.ts': `${TEST}test('needs the setup a', async () => {});\ntest('needs the setup b', async () => {});\n`,
      'tests/b.spec.ts': `${TEST}test('needs the setup c', async () => {});\n`,
    },
  },
  'a webServer': {
    config: `projects: [chromium],
  webServer: { command: 'node server.mjs', url: 'http://127.0.0.1:__PORT__/health', reuseExistingServer: false, env: { PORT: '__PORT__' } },`,
    files: {
      'server.mjs': `import { createServer } from 'node:http';
createServer((req, res) => res.end(req.url === '/health' ? 'ok' : 'served by ' + process.pid)).listen(Number(process.env.PORT), '127.0.0.1');
`,
      'tests/site-a.spec.ts': `${TEST}
test('reaches the server a', async () => { expect(await (await fetch('http://127.0.0.1:__PORT__/')).text()).toMatch(/served by/); });
test('reaches the server b', async () => { expect((await fetch('http://127.0.0.1:__PORT__/')).ok).toBe(true); });
`,
      'tests/site-b.spec.ts': `${TEST}
test('reaches the server c', async () => { await new Promise((r) => setTimeout(r, 500)); expect((await fetch('http://127.0.0.1:__PORT__/')).ok).toBe(true); });
`,
    },
  },
  'globalSetup and globalTeardown': {
    config: `projects: [chromium],
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',`,
    files: {
      'global-setup.ts': `import { writeFileSync } from 'node:fs';
export default async function () {
  const token = Math.random().toString(36).slice(2);
  writeFileSync('token.txt', token);
  process.env.SETUP_TOKEN = token;
}
`,
      'global-teardown.ts': `import { rmSync } from 'node:fs';\nexport default async function () { rmSync('token.txt', { force: true }); }\n`,
      'tests/token-a.spec.ts': `${TEST}
import { readFileSync } from 'node:fs';
test('sees its own globalSetup a', async () => { expect(readFileSync('token.txt', 'utf8')).toBe(process.env.SETUP_TOKEN); });
test('sees its own globalSetup b', async () => { await new Promise((r) => setTimeout(r, 400)); expect(readFileSync('token.txt', 'utf8')).toBe(process.env.SETUP_TOKEN); });
`,
      'tests/token-b.spec.ts': `${TEST}
import { readFileSync } from 'node:fs';
test('sees its own globalSetup c', async () => { await new Promise((r) => setTimeout(r, 400)); expect(readFileSync('token.txt', 'utf8')).toBe(process.env.SETUP_TOKEN); });
`,
    },
  },
  'test.fail, fixme, skip and slow': {
    config: `projects: [chromium],`,
    files: {
      'tests/annotated.spec.ts': `${TEST}
test('expected to fail and fails', async () => { test.fail(); expect(1).toBe(2); });
test('expected to fail but passes', async () => { test.fail(); expect(1).toBe(1); });
test.fixme('not fixed yet', async () => {});
test.skip('skipped outright', async () => {});
test('skipped when told', async () => { test.skip(true, 'not here'); });
test('slow but fine', async () => { test.slow(); });
test('plain failure', async () => { expect('a').toBe('b'); });
`,
    },
  },
  'retries with a flaky test': {
    config: `retries: 1,\n  projects: [chromium],`,
    files: {
      'tests/flaky.spec.ts': `${TEST}
test('passes on its retry', async ({}, info) => { expect(info.retry).toBe(1); });
test('always fails', async () => { expect(1).toBe(2); });
test('always passes', async () => {});
`,
    },
  },
  repeatEach: {
    config: `repeatEach: 2,\n  projects: [chromium],`,
    files: {
      'tests/repeated.spec.ts': `${TEST}
test('fails on its second repeat', async ({}, info) => { expect(info.repeatEachIndex).toBe(0); });
test('passes every time', async () => {});
`,
    },
  },
  'tags and --grep': {
    args: ['--grep', '@smoke'],
    config: `projects: [chromium],`,
    files: {
      'tests/tagged.spec.ts': `${TEST}
test('smoke passes', { tag: '@smoke' }, async () => {});
test('smoke fails', { tag: '@smoke' }, async () => { expect(1).toBe(0); });
test('not smoke', async () => { expect(1).toBe(0); });
test.describe('smoke suite', { tag: '@smoke' }, () => { test('inherits the tag', async () => {}); });
`,
    },
  },
  '.only': {
    config: `projects: [chromium],`,
    files: {
      'tests/focused.spec.ts': `${TEST}
test.only('the focused one', async () => {});
test('left out a', async () => { expect(1).toBe(2); });
`,
      'tests/other.spec.ts': `${TEST}test('left out b', async () => { expect(1).toBe(2); });\n`,
    },
  },
};
