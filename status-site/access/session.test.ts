import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeNext } from '../shared/safe-next.ts';
import { LINK_SECONDS, mintToken, SESSION_SECONDS, verifyToken } from './session.ts';

const SECRET = 'a'.repeat(64);
const ANA = 'arn:aws:sts::123456789012:assumed-role/ReleaseManager/ana@example.com';
const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1) + seconds * 1000);

describe('sign-in links and sessions', () => {
  it('says who a token is for while it lasts, and for its purpose only', () => {
    const link = mintToken(SECRET, ANA, 'link', at(0));
    assert.equal(verifyToken(SECRET, link, 'link', at(LINK_SECONDS - 1)), ANA);
    assert.equal(verifyToken(SECRET, link, 'link', at(LINK_SECONDS)), undefined, 'expired');
    assert.equal(verifyToken(SECRET, link, 'session', at(0)), undefined, 'a link is not a session');
    const session = mintToken(SECRET, ANA, 'session', at(0));
    assert.equal(verifyToken(SECRET, session, 'session', at(SESSION_SECONDS - 1)), ANA);
    assert.equal(verifyToken(SECRET, session, 'link', at(0)), undefined, 'nor a session a link');
  });

  it('refuses a forged, altered or malformed token', () => {
    const link = mintToken(SECRET, ANA, 'link', at(0));
    const [version, body, signature] = link.split('.');
    const otherBody = Buffer.from(
      JSON.stringify({ sub: 'arn:aws:iam::123456789012:user/mallory', pur: 'link', exp: 2e9 }),
    ).toString('base64url');
    for (const token of [
      mintToken('b'.repeat(64), ANA, 'link', at(0)),
      `${version}.${otherBody}.${signature}`,
      `${version}.${body}.${signature!.slice(0, -2)}`,
      `v2.${body}.${signature}`,
      `${version}.${body}`,
      'nonsense',
      '',
      undefined,
    ]) {
      assert.equal(verifyToken(SECRET, token, 'link', at(0)), undefined, String(token));
    }
  });

  it('sends a signed-in reader only to a path on this site', () => {
    assert.equal(safeNext('/runs/20261122T185625123Z-k3f9'), '/runs/20261122T185625123Z-k3f9');
    assert.equal(safeNext('/runs/x?unit=abc'), '/runs/x?unit=abc');
    for (const next of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/runs/<x>',
      undefined,
      '',
    ])
      assert.equal(safeNext(next), '/', String(next));
  });
});
