import assert from 'node:assert/strict';
import { CodePipelineClient, GetPipelineStateCommand, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import type { ApprovalSettings } from '../config/config.ts';
import type { Notification, RunNotification } from '../notify/notification.ts';
import { decide, loadApproval, openRequest } from './approvals.ts';
import { CodePipelineApproval } from './codepipeline.ts';
import type { GateDecision } from './policy.ts';
import { checkRequests } from '../testing/botocore-model.ts';

const settings: ApprovalSettings = {
  approvers: ['ana', 'ben', 'dana@example.com'],
  overriders: ['ben'],
  requiredApprovals: 1,
  expiresAfterHours: 24,
  authorMayApprove: false,
  readers: [],
  personRoles: [],
};
const passed: GateDecision = {
  passed: true,
  rules: [{ rule: 'failures', passed: true, measured: '0', threshold: '≤ 0' }],
};
const failed: GateDecision = {
  passed: false,
  rules: [{ rule: 'failures', passed: false, measured: '1', threshold: '≤ 0' }],
};

/** Approval tokens as CodePipeline makes them (a UUID): botocore's model refuses any other. */
const TOKEN = '7d1f3c2a-0000-4000-8000-000000000001';
const TOKEN_7 = '7d1f3c2a-0000-4000-8000-000000000007';

/** CodePipeline's state with the Approval stage waiting on one execution. */
const waitingOn = (executionId: string, token = TOKEN) => ({
  stageStates: [
    {
      stageName: 'Approval',
      latestExecution: { pipelineExecutionId: executionId, status: 'InProgress' as const },
      actionStates: [{ actionName: 'Approve', latestExecution: { status: 'InProgress' as const, token } }],
    },
  ],
});

describe('approval requests and decisions, as run events', () => {
  let seed: SeededStore;
  const notes: Notification[] = [];
  const notifier = { notify: async (n: Notification) => void notes.push(n) };
  const codepipeline = mockClient(CodePipelineClient);
  afterEach(checkRequests(codepipeline, 'codepipeline'));
  const pipeline = new CodePipelineApproval(new CodePipelineClient({ region: 'eu-west-1' }), {
    name: 'uigate-release',
    stage: 'Approval',
    action: 'Approve',
  });

  before(async () => {
    seed = await seededStore();
  });
  after(() => seed.remove());
  beforeEach(() => {
    codepipeline.reset();
    notes.length = 0;
  });

  const runWith = async (meta: Record<string, string> = {}, at = new Date()) => {
    const runId = await seedRun(
      seed,
      [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }],
      { author: 'Dana <dana@example.com>', ...meta },
      at,
    );
    return (await seed.store.getRun(runId))!;
  };
  const open = async (run: Awaited<ReturnType<typeof runWith>>, gate = passed) =>
    openRequest({ store: seed.store, run, gate, settings, actor: 'test', notifier });
  const vote = (runId: string, approver: string, decision: 'approved' | 'rejected' = 'approved', extra = {}) =>
    decide(
      { runId, approver, decision, comment: 'checked the matrix', ...extra },
      { store: seed.store, settings, notifier },
    );

  it('opens one request per run bound to its release, and tells the approvers', async () => {
    const run = await runWith({ artifactDigest: 'sha256:abc', pipelineExecutionId: 'exec-1' });
    const first = await open(run);
    const again = await open(run);
    assert.equal(first.view.state, 'pending');
    assert.deepEqual(first.view.request!.release, {
      commit: '0123456789abcdef',
      artifactDigest: 'sha256:abc',
      pipelineExecutionId: 'exec-1',
    });
    assert.equal(again.view.request!.requestedAt, first.view.request!.requestedAt);
    assert.equal((await seed.store.listEvents(run.runId)).filter((e) => e.type === 'approval-requested').length, 1);
    assert.deepEqual(
      notes.map((n) => n.kind),
      ['approval-requested'],
    );
  });

  it('records who, when, the comment and the gate result seen; the decision once', async () => {
    const run = await runWith();
    await open(run);
    const result = await vote(run.runId, 'ana');
    assert.ok(result.ok && result.view.state === 'approved');
    const events = await seed.store.listEvents(run.runId);
    const cast = events.find((e) => e.type === 'approval-vote')!;
    assert.equal(cast.actor, 'ana');
    assert.equal(cast.detail!.comment, 'checked the matrix');
    assert.equal(cast.detail!.gatePassed, true);
    assert.ok(Date.parse(String(cast.detail!.at)) > 0);
    assert.equal(events.filter((e) => e.type === 'approval-decided').length, 1);
    assert.equal(notes.at(-1)!.kind, 'approval-decided');
    assert.equal((notes.at(-1) as RunNotification).decision, 'approved');
    assert.equal(
      (await seed.store.getRun(run.runId))!.kept,
      true,
      'a decided run outlives retention (runner/store/expiry.test.ts)',
    );
  });

  it('treats a double submission as one, even when both arrive at once', async () => {
    const run = await runWith();
    await open(run);
    const results = await Promise.all([vote(run.runId, 'ana'), vote(run.runId, 'ana'), vote(run.runId, 'ana')]);
    assert.ok(results.every((r) => r.ok));
    const events = await seed.store.listEvents(run.runId);
    assert.equal(events.filter((e) => e.type === 'approval-vote').length, 1);
    assert.equal(events.filter((e) => e.type === 'approval-decided').length, 1);
  });

  it('never approves a rejected request later; refusals write nothing', async () => {
    const run = await runWith();
    await open(run);
    assert.ok((await vote(run.runId, 'ben', 'rejected')).ok);
    const before = (await seed.store.listEvents(run.runId)).length;
    const late = await vote(run.runId, 'ana');
    assert.deepEqual(late, { ok: false, status: 409, reason: 'the request is rejected; it can no longer be decided' });
    const stranger = await vote(run.runId, 'mallory');
    assert.equal(!stranger.ok && stranger.status, 403);
    assert.equal((await seed.store.listEvents(run.runId)).length, before);
  });

  it('lets a newer run on the branch supersede an older pending request, which can then not be approved', async () => {
    const older = await runWith({ branch: 'release/1' }, new Date(Date.UTC(2031, 0, 1)));
    await open(older);
    const newer = await runWith({ branch: 'release/1' }, new Date(Date.UTC(2031, 0, 2)));
    const { superseded } = await open(newer);
    assert.deepEqual(superseded, [older.runId]);
    assert.equal((await loadApproval(seed.store, older.runId)).supersededBy, newer.runId);
    const result = await vote(older.runId, 'ana');
    assert.deepEqual(result, {
      ok: false,
      status: 409,
      reason: 'the request is superseded; it can no longer be decided',
    });
  });

  it("supersedes a request for an older run opened after a newer run's, and any request a vote finds outdated", async () => {
    const older = await runWith({ branch: 'release/2' }, new Date(Date.UTC(2032, 0, 1)));
    const newer = await runWith({ branch: 'release/2' }, new Date(Date.UTC(2032, 0, 2)));
    const now = new Date(Date.UTC(2032, 0, 2, 1));
    await openRequest({ store: seed.store, run: newer, gate: passed, settings, actor: 't', now });
    const late = await openRequest({ store: seed.store, run: older, gate: passed, settings, actor: 't', now });
    assert.equal(late.view.state, 'superseded');
    assert.equal(late.view.supersededBy, newer.runId);
    const result = await decide(
      { runId: older.runId, approver: 'ana', decision: 'approved', comment: 'old one', now },
      { store: seed.store, settings },
    );
    assert.deepEqual(!result.ok && result.status, 409);
    // Between many runs of other branches: every run in the request window is looked at.
    const busy = await runWith({ branch: 'release/3' }, new Date(Date.UTC(2033, 0, 1)));
    await openRequest({
      store: seed.store,
      run: busy,
      gate: passed,
      settings,
      actor: 't',
      now: new Date(Date.UTC(2033, 0, 1, 1)),
    });
    for (let i = 0; i < 60; i++) await runWith({ branch: `noise/${i}` }, new Date(Date.UTC(2033, 0, 1, 2, i)));
    const newest = await runWith({ branch: 'release/3' }, new Date(Date.UTC(2033, 0, 1, 3)));
    const { superseded } = await openRequest({
      store: seed.store,
      run: newest,
      gate: passed,
      settings,
      actor: 't',
      now: new Date(Date.UTC(2033, 0, 1, 4)),
    });
    assert.deepEqual(superseded, [busy.runId]);
  });

  it('keeps the author from approving, and a failed gate for an explicit override only', async () => {
    const run = await runWith();
    await open(run, failed);
    const author = await vote(run.runId, 'dana@example.com');
    assert.match(!author.ok ? author.reason : '', /wrote this commit/);
    const plain = await vote(run.runId, 'ana');
    assert.match(!plain.ok ? plain.reason : '', /failed its gate policy/);
    const override = await vote(run.runId, 'ben', 'approved', { override: true });
    assert.ok(override.ok && override.view.decided?.override === true);
  });

  it('refuses a request that is not there, and a run that is not there', async () => {
    const run = await runWith();
    assert.match(((await vote(run.runId, 'ana')) as { reason: string }).reason, /no approval has been requested/);
    assert.equal(((await vote('20990101T000000000Z-zzzz', 'ana')) as { status: number }).status, 404);
  });

  describe('with CodePipeline', () => {
    const decideIn = (runId: string, approver = 'ana') =>
      decide({ runId, approver, decision: 'approved', comment: 'go' }, { store: seed.store, settings, pipeline });

    it("answers the waiting approval with the token of the run's own execution", async () => {
      const run = await runWith({ pipelineExecutionId: 'exec-7' });
      await open(run);
      codepipeline.on(GetPipelineStateCommand).resolves(waitingOn('exec-7', TOKEN_7));
      codepipeline.on(PutApprovalResultCommand).resolves({ approvedAt: new Date() });
      const result = await decideIn(run.runId);
      assert.ok(result.ok && result.view.decided?.pipeline === 'uigate-release: Approved');
      const [call] = codepipeline.commandCalls(PutApprovalResultCommand);
      assert.equal(call!.args[0].input.token, TOKEN_7);
      assert.equal(call!.args[0].input.result?.status, 'Approved');
      assert.match(call!.args[0].input.result?.summary ?? '', /approved by ana: go/);
    });

    it('refuses when the pipeline waits on another execution, and writes nothing', async () => {
      const run = await runWith({ pipelineExecutionId: 'exec-old' });
      await open(run);
      codepipeline.on(GetPipelineStateCommand).resolves(waitingOn('exec-new'));
      const result = await decideIn(run.runId);
      assert.deepEqual(result, {
        ok: false,
        status: 409,
        reason:
          'pipeline uigate-release is waiting for approval of execution exec-new, not exec-old; a stale execution is never approved',
      });
      assert.equal(codepipeline.commandCalls(PutApprovalResultCommand).length, 0);
      assert.equal((await seed.store.listEvents(run.runId)).filter((e) => e.type === 'approval-vote').length, 0);
    });

    it('says so on the timeline when the pipeline does not take the answer, and whoever calls next tells it', async () => {
      const run = await runWith({ pipelineExecutionId: 'exec-9' });
      await open(run);
      codepipeline.on(GetPipelineStateCommand).resolves(waitingOn('exec-9'));
      codepipeline
        .on(PutApprovalResultCommand)
        .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
        .resolves({ approvedAt: new Date() });
      await assert.rejects(decideIn(run.runId), /Rate exceeded/);
      const stuck = await loadApproval(seed.store, run.runId);
      assert.equal(stuck.decided?.state, 'approved', 'the decision stands');
      assert.equal(stuck.delivery?.state, 'retrying');
      const other = await decideIn(run.runId, 'ben');
      assert.deepEqual(!other.ok && other.status, 409, 'the request is decided: another vote is refused');
      const told = await loadApproval(seed.store, run.runId);
      assert.equal(told.decided?.pipeline, 'uigate-release: Approved');
      assert.equal(codepipeline.commandCalls(PutApprovalResultCommand).length, 2);
      const again = await decideIn(run.runId);
      assert.ok(again.ok && again.duplicate);
      assert.equal(codepipeline.commandCalls(PutApprovalResultCommand).length, 2, 'told once is enough');
      const types = (await seed.store.listEvents(run.runId)).map((e) => e.type);
      assert.deepEqual(
        types.filter((t) => t.startsWith('approval-') && t !== 'approval-requested'),
        ['approval-vote', 'approval-decided', 'approval-pipeline-error', 'approval-delivered'],
      );
    });

    it('records that a pipeline which moved on can no longer be told, and stops asking', async () => {
      const run = await runWith({ pipelineExecutionId: 'exec-10' });
      await open(run);
      codepipeline.on(GetPipelineStateCommand).resolvesOnce(waitingOn('exec-10')).resolves(waitingOn('exec-11'));
      const result = await decideIn(run.runId);
      assert.ok(result.ok && result.view.delivery?.state === 'undeliverable');
      assert.match(result.view.delivery!.detail, /waiting for approval of execution exec-11/);
      assert.equal(codepipeline.commandCalls(PutApprovalResultCommand).length, 0);
    });

    /** A pipeline waiting on one execution that, like CodePipeline, takes one answer and refuses the rest. */
    const live = (executionId: string) => {
      let answered: 'Succeeded' | 'Failed' | undefined;
      codepipeline.on(GetPipelineStateCommand).callsFake(() => {
        const state = waitingOn(executionId);
        if (answered) state.stageStates[0]!.actionStates[0]!.latestExecution = { status: answered } as never;
        return state;
      });
      codepipeline.on(PutApprovalResultCommand).callsFake((input: { result: { status: string } }) => {
        if (answered)
          throw Object.assign(new Error('approval already completed'), { name: 'ApprovalAlreadyCompletedException' });
        answered = input.result.status === 'Approved' ? 'Succeeded' : 'Failed';
        return { approvedAt: new Date() };
      });
    };
    const decideWith = (runId: string, approver: string, decision: 'approved' | 'rejected', required: number) =>
      decide(
        { runId, approver, decision, comment: 'at the same moment' },
        { store: seed.store, settings: { ...settings, requiredApprovals: required }, pipeline },
      );

    it('decides once when two votes meet a two-approval rule at the same moment, and tells the pipeline', async () => {
      for (let round = 0; round < 4; round++) {
        const run = await runWith({ pipelineExecutionId: `exec-2of-${round}` });
        await openRequest({
          store: seed.store,
          run,
          gate: passed,
          settings: { ...settings, requiredApprovals: 2 },
          actor: 't',
        });
        live(`exec-2of-${round}`);
        const results = await Promise.all([
          decideWith(run.runId, 'ana', 'approved', 2),
          decideWith(run.runId, 'ben', 'approved', 2),
        ]);
        assert.ok(
          results.every((r) => r.ok),
          JSON.stringify(results),
        );
        const events = await seed.store.listEvents(run.runId);
        assert.equal(events.filter((e) => e.type === 'approval-decided').length, 1);
        assert.equal(events.filter((e) => e.type === 'approval-delivered').length, 1);
        assert.equal((await loadApproval(seed.store, run.runId)).decided?.pipeline, 'uigate-release: Approved');
        assert.equal((await seed.store.getRun(run.runId))!.kept, true);
        codepipeline.reset();
      }
    });

    it('tells the pipeline one decision when an approval and a rejection arrive at the same moment', async () => {
      for (let round = 0; round < 4; round++) {
        const run = await runWith({ pipelineExecutionId: `exec-race-${round}` });
        await open(run);
        live(`exec-race-${round}`);
        const [approve, reject] = await Promise.all([
          decideWith(run.runId, 'ana', 'approved', 1),
          decideWith(run.runId, 'ben', 'rejected', 1),
        ]);
        const view = await loadApproval(seed.store, run.runId);
        const events = await seed.store.listEvents(run.runId);
        assert.equal(events.filter((e) => e.type === 'approval-decided').length, 1);
        const told = codepipeline.commandCalls(PutApprovalResultCommand).map((c) => c.args[0].input.result?.status);
        assert.deepEqual([...new Set(told)], [view.decided!.state === 'approved' ? 'Approved' : 'Rejected']);
        const loser = view.decided!.state === 'approved' ? reject : approve;
        if (!loser.ok) assert.match(loser.reason, /meanwhile/);
        codepipeline.reset();
      }
    });
  });
});
