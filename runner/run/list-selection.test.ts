import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startListing } from './list-selection.ts';

describe('startListing', () => {
  // A folder with no config and no Playwright: anything that got as far as listing would fail there instead.
  let empty: string;
  before(async () => (empty = await mkdtemp(join(tmpdir(), 'uigate-no-suite-'))));
  after(() => rm(empty, { recursive: true, force: true }));
  const io = () => ({ cwd: empty, env: {} });

  it('refuses an unknown executor before it loads the config or starts Playwright', async () => {
    await assert.rejects(
      startListing({ executor: ['local', 'lamda'] }, io()),
      /unknown executor "lamda" \(--executor\)/,
    );
  });

  it('refuses a --base-url that is not http(s) before it starts Playwright', async () => {
    await assert.rejects(
      startListing({ baseUrl: 'test.example.com' }, io()),
      /--base-url "test.example.com" is not an http\(s\) URL/,
    );
  });
});
