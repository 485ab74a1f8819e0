import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSite } from './build.ts';

describe('the status site as npm run build writes it for the bucket', () => {
  let dist: string;
  before(async () => {
    dist = await mkdtemp(join(tmpdir(), 'uigate-site-'));
    await writeSite(dist);
  });
  after(() => rm(dist, { recursive: true, force: true }));

  // CloudFront serves the bucket's objects by key: a file the page asks for must be at that key.
  it('holds every file the page asks for at the path it asks for it', async () => {
    const html = await readFile(join(dist, 'index.html'), 'utf8');
    // Scripts and stylesheets; an <a> names a page the CloudFront function routes to index.html.
    const asked = [...html.matchAll(/<(?:script|link)[^>]*(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]!);
    assert.deepEqual(asked.sort(), ['/assets/app.css', '/assets/app.js']);
    for (const path of asked) assert.ok(existsSync(join(dist, path)), path);
  });

  it("carries Playwright's trace viewer under trace/, with every file its page loads", async () => {
    const html = await readFile(join(dist, 'trace', 'index.html'), 'utf8');
    const loaded = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(
      loaded.some((path) => path.endsWith('.js')),
      'the viewer loads its script',
    );
    for (const path of [...loaded, 'sw.bundle.js', 'snapshot.html'])
      assert.ok(existsSync(join(dist, 'trace', path)), path);
  });
});
