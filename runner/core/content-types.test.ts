import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentTypeOf } from './content-types.ts';

describe('the Content-Type of a static file', () => {
  it('gives module scripts a JavaScript type and fonts their own, which browsers require', () => {
    assert.equal(contentTypeOf('assets/app.mjs'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeOf('fonts/Inter.WOFF2'), 'font/woff2');
    assert.equal(contentTypeOf('index.html'), 'text/html; charset=utf-8');
  });

  it("serves the HTML report's data as what it is: its error context as markdown, its trace as a zip", () => {
    assert.equal(contentTypeOf('data/6eb87092989f325f.md'), 'text/markdown; charset=utf-8');
    assert.equal(contentTypeOf('data/6b8d49ffb7538380.zip'), 'application/zip');
    assert.equal(contentTypeOf('data/2ec37c635a3b1023.png'), 'image/png');
  });

  it('falls back to octet-stream for what it does not know, and for dot files', () => {
    assert.equal(contentTypeOf('data.bin'), 'application/octet-stream');
    assert.equal(contentTypeOf('.env'), 'application/octet-stream');
    assert.equal(contentTypeOf('dir.d/README'), 'application/octet-stream');
  });
});
