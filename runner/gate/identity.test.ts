import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authenticateToken, localApprover, TOKEN_PATTERN, tokenFileOf } from './identity.ts';

describe('local approver tokens', () => {
  let home: string;
  before(async () => (home = await mkdtemp(join(tmpdir(), 'uigate-identity-'))));
  after(() => rm(home, { recursive: true, force: true }));

  it('treats a name like __proto__ as a name: a real token, stored, that authenticates as it', async () => {
    const { token } = await localApprover(home, '__proto__');
    assert.match(token, TOKEN_PATTERN, 'not undefined, nor anything of Object.prototype');
    assert.equal(await authenticateToken(home, token), '__proto__');
    assert.equal((await localApprover(home, '__proto__')).token, token, 'the same token the second time');
    const file = JSON.parse(await readFile(tokenFileOf(home), 'utf8')) as { approvers: object };
    assert.ok(Object.hasOwn(file.approvers, '__proto__'));
  });
});
