// The Lambda event's schema is strict: what the executor does not send is refused, not ignored,
// and every number has a bound. (The handler's answer to a refused event: handler.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import { MalformedEvent, parseEvent } from './event.ts';

const unit = makeUnit('/suite/tests/a.spec.ts', '/suite', ['a'], 'chromium', 3, 1);
const event = () => ({
  runId: '20261122T185625123Z-k3f9',
  batchId: 'b1',
  dispatch: 1,
  browser: 'chromium',
  units: [{ ...unit }],
  store: { table: 'uigate', region: 'eu-west-1' },
  artifacts: { bucket: 'uigate-artifacts', prefix: 'runs/' },
});

const refused = (input: unknown, where: RegExp) =>
  assert.throws(
    () => parseEvent(input),
    (error: Error) => error instanceof MalformedEvent && where.test(error.message),
  );

describe('the Lambda event', () => {
  it('accepts what the executor sends', () => {
    assert.equal(parseEvent(event()).units[0]!.key, unit.key);
  });

  it('refuses unknown keys at every level instead of ignoring them', () => {
    refused({ ...event(), storeEndpoint: 'http://evil.example' }, /\(event\).*storeEndpoint|Unrecognized key/);
    refused({ ...event(), store: { ...event().store, endpointt: 'x' } }, /store/);
    refused({ ...event(), units: [{ ...unit, shell: 'rm -rf /' }] }, /units\.0/);
    refused({ ...event(), artifacts: { bucket: 'uigate-artifacts', dir: '/etc' } }, /artifacts/);
    refused({ ...event(), source: { file: '/tmp/x.tgz', sha256: 'a'.repeat(64), bucket: 'b' } }, /source/);
  });

  it('bounds every number', () => {
    refused({ ...event(), dispatch: 1e12 }, /dispatch/);
    refused({ ...event(), dispatch: 0 }, /dispatch/);
    refused({ ...event(), testFlags: { retries: 11 } }, /retries/);
    refused({ ...event(), testFlags: { trace: 'always' } }, /trace/);
    refused({ ...event(), units: [{ ...unit, line: -1 }] }, /units\.0\.line/);
    refused({ ...event(), units: [{ ...unit, column: 1e9 }] }, /units\.0\.column/);
    refused({ ...event(), units: [{ ...unit, repeat: 0 }] }, /units\.0\.repeat/);
    refused({ ...event(), units: Array.from({ length: 501 }, () => unit) }, /units/);
  });

  it('takes a store key only for a store on this machine, and only http(s) URLs', () => {
    const key = { accessKeyId: 'uigate-embedded', secretAccessKey: 's3cret' };
    refused(
      { ...event(), store: { table: 'uigate', endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', key } },
      /store\.key/,
    );
    refused({ ...event(), store: { table: 'uigate', key } }, /store\.key/);
    assert.deepEqual(
      parseEvent({ ...event(), store: { table: 'uigate', endpoint: 'http://127.0.0.1:4567', key } }).store.key,
      key,
    );
    refused({ ...event(), baseURL: 'javascript:alert(1)' }, /baseURL/);
    refused({ ...event(), store: { table: 'uigate', endpoint: 'file:///etc/passwd' } }, /store\.endpoint/);
  });
});
