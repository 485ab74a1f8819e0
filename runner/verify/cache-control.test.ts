import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheControlOf, entryPaths, IMMUTABLE, isHashedAsset, MAX_LISTED_PATHS, REVALIDATE } from './cache-control.ts';

describe('which files a release may keep at the edge', () => {
  it('takes the hashes bundlers write for hashes, and words for words', () => {
    for (const hashed of [
      'assets/index-4f1b2c9a.js', // Vite
      'static/js/main.3f9a1c2b8d.js', // webpack
      'chunk-A1B2C3D4.js', // esbuild
      'assets/logo-Bd3k9aZq.svg',
      'assets/index-4f1b2c9a.js.map',
    ])
      assert.equal(isHashedAsset(hashed), true, hashed);
    for (const entry of [
      'index.html',
      'robots.txt',
      'assets/settings-panel.js', // a word: would keep a changed file a year
      'assets/vendored.js',
      'favicon.ico',
      'page-4f1b2c9a.html', // a document is never immutable
      'assets/app-1234.js', // too short for a hash
    ])
      assert.equal(isHashedAsset(entry), false, entry);
    assert.equal(cacheControlOf('assets/index-4f1b2c9a.js'), IMMUTABLE);
    assert.equal(cacheControlOf('index.html'), REVALIDATE);
  });

  it('invalidates each entry document and the folder URL of each index.html, encoded as CloudFront wants', () => {
    assert.deepEqual(
      entryPaths(['index.html', 'docs/index.html', 'assets/index-4f1b2c9a.js', 'a b*(1).png', 'Café.txt']),
      ['/', '/Caf%C3%A9.txt', '/a%20b%2A%281%29.png', '/docs/', '/docs/index.html', '/index.html'],
    );
    assert.deepEqual(entryPaths(['assets/index-4f1b2c9a.js']), []);
  });

  it('invalidates everything as one wildcard path rather than paying for many', () => {
    const many = Array.from({ length: MAX_LISTED_PATHS + 1 }, (_, i) => `page${i}.txt`);
    assert.deepEqual(entryPaths(many), ['/*']);
    assert.equal(entryPaths(many.slice(0, MAX_LISTED_PATHS)).length, MAX_LISTED_PATHS);
  });
});
