import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkVote, isListed, requestState, type ApprovalRequest, type Vote, type VoteInput } from './approval.ts';
import { personOf } from './person.ts';

const release = { commit: 'a1b2c3d4e5f6a7b8', artifactDigest: 'sha256:1', pipelineExecutionId: 'exec-1' };
const request: ApprovalRequest = {
  runId: 'r',
  release,
  requestedAt: '2026-11-22T10:00:00Z',
  expiresAt: '2026-11-23T10:00:00Z',
  requiredApprovals: 2,
  author: 'dana',
};
const now = new Date('2026-11-22T12:00:00Z');
const rules = { approvers: ['ana', 'ben', 'dana'], overriders: ['ben'] };
const input = (patch: Partial<VoteInput> = {}): VoteInput => ({
  request,
  votes: [],
  superseded: false,
  now,
  rules,
  approver: 'ana',
  person: personOf(patch.approver ?? 'ana'),
  decision: 'approved',
  comment: 'looked at the matrix',
  release,
  gatePassed: true,
  ...patch,
});
const vote = (approver: string, decision: Vote['decision'] = 'approved'): Vote => ({
  approver,
  decision,
  comment: 'ok',
  at: now.toISOString(),
  release,
  gatePassed: true,
});

describe('checkVote', () => {
  it('records an allowed approver’s vote on the release the request is for', () => {
    const result = checkVote(input());
    assert.ok(result.accepted && 'vote' in result);
    assert.equal(result.vote.approver, 'ana');
  });

  it('refuses someone not on the list, and a vote without a reason', () => {
    assert.deepEqual(checkVote(input({ approver: 'mallory' })), {
      accepted: false,
      status: 403,
      reason: 'mallory is not an allowed approver',
    });
    assert.match((checkVote(input({ comment: '  ' })) as { reason: string }).reason, /needs a comment/);
  });

  it('never approves a different commit than the one requested', () => {
    const result = checkVote(input({ release: { ...release, commit: 'ffffffffffff0000' } }));
    assert.ok(!result.accepted);
    assert.match(result.reason, /this request is for commit a1b2c3d4e5f6 \(execution exec-1\), not ffffffffffff/);
  });

  it('refuses a request that is rejected, superseded or expired', () => {
    assert.match(
      (checkVote(input({ votes: [vote('ben', 'rejected')] })) as { reason: string }).reason,
      /the request is rejected/,
    );
    assert.match((checkVote(input({ superseded: true })) as { reason: string }).reason, /the request is superseded/);
    assert.match(
      (checkVote(input({ now: new Date('2026-11-24T00:00:00Z') })) as { reason: string }).reason,
      /the request is expired/,
    );
  });

  it('treats a second identical submission as already done', () => {
    assert.deepEqual(checkVote(input({ votes: [vote('ana')] })), { accepted: true, duplicate: true });
  });

  it('keeps the author from approving their own commit', () => {
    assert.match(
      (checkVote(input({ approver: 'dana' })) as { reason: string }).reason,
      /dana wrote this commit and may not approve it/,
    );
    assert.ok(
      checkVote(input({ approver: 'dana', decision: 'rejected', comment: 'not ready' })).accepted,
      'the author may still reject',
    );
  });

  it('refuses to approve a run that failed its gate unless an allowed approver overrides it, recorded as such', () => {
    assert.match((checkVote(input({ gatePassed: false })) as { reason: string }).reason, /failed its gate policy/);
    assert.deepEqual(checkVote(input({ gatePassed: false, override: true })), {
      accepted: false,
      status: 403,
      reason: 'ana may not override a failed gate',
    });
    const result = checkVote(input({ approver: 'ben', gatePassed: false, override: true }));
    assert.ok(result.accepted && 'vote' in result && result.vote.override === true);
  });
});

describe('requestState', () => {
  it('needs the required number of distinct approvers', () => {
    assert.equal(requestState(request, [vote('ana')], now, false), 'pending');
    assert.equal(requestState(request, [vote('ana'), vote('ana')], now, false), 'pending');
    assert.equal(requestState(request, [vote('ana'), vote('ben')], now, false), 'approved');
  });

  it('is rejected by any rejection, and superseded or expired only while undecided', () => {
    assert.equal(requestState(request, [vote('ana'), vote('ben', 'rejected')], now, false), 'rejected');
    assert.equal(requestState(request, [vote('ana'), vote('ben')], now, true), 'approved');
    assert.equal(requestState(request, [], now, true), 'superseded');
    assert.equal(requestState(request, [], new Date('2026-11-23T10:00:00Z'), false), 'expired');
  });
});

describe('who is who', () => {
  it('matches IAM identities against allow-list patterns, and nothing else', () => {
    const list = ['arn:aws:sts::123456789012:assumed-role/ReleaseManager/*', 'ana'];
    assert.ok(isListed('arn:aws:sts::123456789012:assumed-role/ReleaseManager/ana@example.com', list));
    assert.ok(!isListed('arn:aws:sts::123456789012:assumed-role/Developer/ana@example.com', list));
    assert.ok(!isListed('arn:aws:sts::999999999999:assumed-role/ReleaseManager/x', list));
    assert.ok(!isListed('anabel', list), 'a plain entry is exact');
    assert.ok(!isListed('arnXaws:x', ['arn.aws:*']), 'dots are literal');
  });
});
