import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackUrl, refuseLocal } from './local-request.ts';

const none = { port: 4567, browsers: 'none' as const };
const ownPage = { port: 4567, browsers: 'own-page' as const };

describe('which requests a local server answers', () => {
  it('answers a Host naming this machine by address or localhost, on its port', () => {
    for (const host of ['127.0.0.1:4567', 'localhost:4567', '[::1]:4567', '192.168.1.20:4567', 'LOCALHOST:4567'])
      assert.equal(refuseLocal({ host }, none), undefined, host);
  });

  it('refuses a domain name (DNS rebinding) or no Host', () => {
    for (const host of ['evil.example:4567', '127.0.0.1.nip.io:4567', undefined, '', 'a:b:c'])
      assert.match(refuseLocal({ host }, none) ?? '', /unexpected Host/, String(host));
  });

  it('refuses anything a browser marks when no page may call', () => {
    assert.match(refuseLocal({ host: '127.0.0.1:4567', origin: 'http://127.0.0.1:4567' }, none)!, /web pages/);
    assert.match(refuseLocal({ host: '127.0.0.1:4567', 'sec-fetch-site': 'none' }, none)!, /web pages/);
  });

  it("lets the status site's own page call it, and no other origin", () => {
    assert.equal(refuseLocal({ host: '127.0.0.1:4567', origin: 'http://127.0.0.1:4567' }, ownPage), undefined);
    assert.equal(refuseLocal({ host: '127.0.0.1:4567', 'sec-fetch-site': 'cross-site' }, ownPage), undefined);
    assert.match(refuseLocal({ host: '127.0.0.1:4567', origin: 'http://localhost:4567' }, ownPage)!, /other sites/);
    assert.match(refuseLocal({ host: '127.0.0.1:4567', origin: 'https://evil.example' }, ownPage)!, /other sites/);
    assert.match(refuseLocal({ host: '127.0.0.1:4567', origin: 'null' }, ownPage)!, /other sites/);
  });
});

describe('which endpoints are local stand-ins', () => {
  it('takes http(s) on localhost, 127.0.0.1 and [::1], on any port and path', () => {
    for (const url of ['http://127.0.0.1:4569', 'http://localhost', 'https://localhost:9000/x', 'http://[::1]:8000/'])
      assert.equal(isLoopbackUrl(url), true, url);
  });

  it('refuses names that only begin like one, other schemes, credentials and what does not parse', () => {
    for (const url of [
      'http://localhost.example.com',
      'http://127.0.0.1.nip.io:9000',
      'https://localhostile.dev',
      'ftp://127.0.0.1',
      'http://evil@127.0.0.1',
      'http://[::1',
      'localhost:4569',
    ])
      assert.equal(isLoopbackUrl(url), false, url);
  });
});
