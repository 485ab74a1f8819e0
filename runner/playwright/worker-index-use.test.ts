import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findWorkerIndexUse } from './worker-index-use.ts';

describe('findWorkerIndexUse', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-index-'));
    await mkdir(join(dir, 'tests'));
    await mkdir(join(dir, 'support'));
    await writeFile(
      join(dir, 'tests', 'plain.spec.ts'),
      "import { test } from '@playwright/test';\ntest('a', () => {});\n",
    );
    await writeFile(
      join(dir, 'tests', 'uses.spec.ts'),
      "import { test } from '../support/accounts';\ntest('b', () => {});\n",
    );
    await writeFile(
      join(dir, 'support', 'accounts.ts'),
      "import { test as base } from '@playwright/test';\nexport const test = base.extend({\n  account: async ({}, use, info) => use(`user${info.parallelIndex}`),\n});\n",
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds an index read in a helper the tests import by relative path', async () => {
    const found = await findWorkerIndexUse([join(dir, 'tests', 'plain.spec.ts'), join(dir, 'tests', 'uses.spec.ts')]);
    assert.equal(found?.where, `${join(dir, 'support', 'accounts.ts')}:3 (parallelIndex)`);
  });

  it('finds nothing in tests that do not read one', async () => {
    assert.equal(await findWorkerIndexUse([join(dir, 'tests', 'plain.spec.ts')]), undefined);
  });
});
