import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personOf, wroteCommit } from './person.ts';

const ROLE = 'arn:aws:sts::123456789012:assumed-role/ReleaseManager';
const SSO = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Release_0123456789abcdef';

describe('who is behind an approver identity', () => {
  it('counts every session of a shared role as the role: its session names are the caller’s choice', () => {
    const first = personOf(`${ROLE}/ana`);
    const second = personOf(`${ROLE}/ana-again`);
    assert.equal(first.id, second.id);
    assert.equal(first.id, ROLE);
    assert.equal(first.verified, false);
    assert.deepEqual(first.names, [], 'a session name proves nothing about the author');
  });

  it('counts an IAM Identity Center session as its user, in any permission set', () => {
    const one = personOf(`${SSO}/ana@example.com`);
    const other = personOf(
      'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_fedcba9876543210/Ana@Example.com',
    );
    assert.equal(one.id, other.id);
    assert.ok(one.verified);
    assert.notEqual(one.id, personOf(`${SSO}/ben@example.com`).id);
  });

  it('counts sessions of a role listed in personRoles as people, and IAM users as themselves', () => {
    const rules = { personRoles: ['ReleaseManager'] };
    assert.notEqual(personOf(`${ROLE}/ana`, rules).id, personOf(`${ROLE}/ben`, rules).id);
    const user = personOf('arn:aws:iam::123456789012:user/team/ana');
    assert.deepEqual(user, { id: 'arn:aws:iam::123456789012:user/team/ana', names: ['ana'], verified: true });
  });

  it('counts a local approver as the OS login that holds the token file, whatever name it acts as', () => {
    assert.equal(personOf('ana', {}, { login: 'dev' }).id, personOf('ben', {}, { login: 'dev' }).id);
    assert.deepEqual(personOf('ben', {}, { login: 'dev' }).names, ['dev', 'ben']);
  });
});

describe('who wrote a commit', () => {
  const author = 'Ana Silva <ana@example.com>';
  it('knows the author by name, email, or the email’s local part (a bare login)', () => {
    for (const name of ['ana', 'Ana Silva', 'ana@example.com', 'ana.silva'])
      assert.ok(wroteCommit({ id: name, names: [name], verified: true }, [author]), name);
    assert.ok(!wroteCommit({ id: 'ben', names: ['ben'], verified: true }, [author]));
  });

  it('holds committers and co-authors to the same rule', () => {
    const ben = { id: 'ben', names: ['ben'], verified: true };
    assert.ok(wroteCommit(ben, [author, 'Ben Okafor <ben@example.com>']));
  });

  it('catches a local approver acting under another name by their login', () => {
    assert.ok(wroteCommit(personOf('someone-else', {}, { login: 'ana' }), [author]));
  });
});
