import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, EncodedJson } from './encoded-json.ts';

const BIG = JSON.stringify({ units: Array.from({ length: 200 }, (_, i) => ({ key: `unit-${i}`, status: 'passed' })) });

describe('EncodedJson', () => {
  it('sends gzip to a client that accepts it, the same JSON once unzipped, under its own ETag', async () => {
    const encoded = new EncodedJson(BIG);
    const zipped = await encoded.for('gzip, deflate, br');
    const plain = await encoded.for(undefined);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(zipped.body as Uint8Array).toString(), BIG);
    assert.ok(zipped.body.length < BIG.length / 5, `${zipped.body.length} bytes gzipped of ${BIG.length}`);
    assert.equal(plain.body, BIG);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.notEqual(zipped.headers.etag, plain.headers.etag);
    assert.equal(zipped.headers.vary, 'accept-encoding');
  });

  it('compresses once however many pollers ask', async () => {
    const encoded = new EncodedJson(BIG);
    const bodies = await Promise.all(Array.from({ length: 5 }, () => encoded.for('gzip')));
    assert.ok(bodies.every((each) => each.body === bodies[0]!.body));
  });

  it('leaves a small body as it is', async () => {
    const small = await new EncodedJson('{"runs":[]}').for('gzip');
    assert.equal(small.body, '{"runs":[]}');
    assert.equal(small.headers['content-encoding'], undefined);
  });
});

describe('acceptsGzip', () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ['', false],
    ['identity', false],
    ['gzip', true],
    ['GZIP', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, br', false],
    ['*', true],
    ['*;q=0', false],
    ['br, *', true],
    ['x-gzip', true],
    ['gzip;q=nonsense', false],
  ];
  for (const [header, expected] of cases)
    it(`${JSON.stringify(header)} → ${expected}`, () => assert.equal(acceptsGzip(header), expected));
});
