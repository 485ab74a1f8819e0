import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sourceGraph } from '../playwright/source-graph.ts';
import { importedPackages } from './imported-packages.ts';

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@support/*': ['support/*'] } } }),
  'playwright.config.ts':
    "import { defineConfig } from '@playwright/test';\nexport default defineConfig({ testDir: 'e2e' });\n",
  // Reached only through the alias: the package it imports is what a Lambda batch would miss.
  'e2e/cart.spec.ts':
    "import { test } from '@playwright/test';\nimport { price } from '@support/money';\nimport logo from './logo.png';\ntest('prices', () => { price(1); void logo; });\n",
  'e2e/logo.png': 'not really a picture',
  'support/money.ts':
    "import Decimal from 'decimal.js-light';\nexport const price = (n: number) => new Decimal(n).toFixed(2);\n",
};

describe("the packages a suite imports, as the bundler finds them (the Lambda executor's bundle)", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-imports-'));
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('follows tsconfig paths aliases, as Playwright does, to the packages behind them', async () => {
    const entries = [join(dir, 'playwright.config.ts'), join(dir, 'e2e/cart.spec.ts')];
    const found = await importedPackages(entries, dir);
    assert.equal(found.by, 'esbuild');
    assert.deepEqual([...found.packages].sort(), ['@playwright/test', 'decimal.js-light']);
    // What the text scan alone found: the alias taken for a package, the package behind it missed.
    const scanned = (await sourceGraph(entries)).packages;
    assert.ok(!scanned.has('decimal.js-light') && scanned.has('@support/money'), [...scanned].join(', '));
  });

  it('falls back to the text scan where the bundler cannot read a file, and says which answered', async () => {
    await writeFile(
      join(dir, 'e2e/broken.spec.ts'),
      "import { test } from '@playwright/test';\ntest('x', () => { (((\n",
    );
    const found = await importedPackages([join(dir, 'e2e/broken.spec.ts')], dir);
    assert.equal(found.by, 'text scan');
    assert.ok(found.packages.has('@playwright/test'));
  });
});
