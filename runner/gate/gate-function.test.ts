import assert from 'node:assert/strict';
import {
  CodePipelineClient,
  GetJobDetailsCommand,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { resolveConfig } from '../config/config.ts';
import { createNotifier } from '../notify/from-config.ts';
import { loadApproval } from './approvals.ts';
import { gateHandler, gateJob } from './gate-function.ts';
import { checkRequests } from '../testing/botocore-model.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:uigate-approvals';
/** Job ids as CodePipeline makes them (a UUID): botocore's model refuses any other. */
const JOB = Array.from({ length: 6 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);

const job = (id: string, userParameters?: string) => ({
  'CodePipeline.job': {
    id,
    data: { actionConfiguration: { configuration: userParameters ? { UserParameters: userParameters } : {} } },
  },
});

describe('the pipeline gate (beforeEntry LambdaInvoke rule)', () => {
  let seed: SeededStore;
  const codepipeline = mockClient(CodePipelineClient);
  afterEach(checkRequests(codepipeline, 'codepipeline'));
  const sns = mockClient(SNSClient);
  afterEach(checkRequests(sns, 'sns'));
  const config = resolveConfig(
    {
      gate: { maxFailures: 0, requiredProjects: ['chromium'] },
      approval: { approvers: ['arn:aws:sts::123456789012:assumed-role/ReleaseManager/*'] },
      notify: { snsTopicArn: TOPIC, statusUrl: 'https://status.example.com' },
    },
    '/tmp',
    {},
  );
  const deps = () => ({
    store: seed.store,
    codepipeline: new CodePipelineClient({ region: 'eu-west-1' }),
    config,
    notifier: createNotifier(config),
  });

  before(async () => {
    seed = await seededStore();
  });
  after(() => seed.remove());
  beforeEach(() => {
    codepipeline.reset();
    sns.reset();
    codepipeline.resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('lets a run that meets the policy into the Approval stage, opens its request and tells the approvers on SNS', async () => {
    const runId = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }], {
      pipelineExecutionId: 'exec-ok',
      commit: 'abcdef0123456789',
      branch: 'main',
      trigger: 'codepipeline/uigate-release',
    });
    const result = await gateJob(job(JOB[1]!, JSON.stringify({ pipelineExecutionId: 'exec-ok' })), deps());
    assert.equal(result.passed, true);
    const [success] = codepipeline.commandCalls(PutJobSuccessResultCommand);
    assert.equal(success!.args[0].input.jobId, JOB[1]!);
    assert.equal(success!.args[0].input.outputVariables, undefined, 'nothing a rule job may be refused for');
    assert.equal((await loadApproval(seed.store, runId)).state, 'pending');
    const [published] = sns.commandCalls(PublishCommand);
    const input = published!.args[0].input;
    assert.equal(input.TopicArn, TOPIC);
    assert.equal(input.Subject, `uigate: approval requested for run ${runId}`);
    // One publish for every subscriber: the chat channel's custom notification, and the email's text.
    assert.equal(input.MessageStructure, 'json');
    const { default: chat, email } = JSON.parse(input.Message!) as { default: string; email: string };
    assert.equal(JSON.parse(chat).metadata.threadId, 'exec-ok', 'one thread per pipeline execution');
    assert.match(email, /Commit: +abcdef012345\nBranch: +main\n/);
    assert.match(email, /Triggered by: +codepipeline\/uigate-release\n/);
    assert.match(email, /Tests: +1 units: 1 passed\n/);
    assert.match(email, new RegExp(`Review and decide: https://status\\.example\\.com/runs/${runId}`));
    assert.equal(input.MessageAttributes!.kind!.StringValue, 'approval-requested');
  });

  it('keeps a run that breaks the policy out, with each failed rule in the job failure', async () => {
    await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'failed' }], {
      pipelineExecutionId: 'exec-bad',
    });
    const result = await gateJob(job(JOB[2]!, JSON.stringify({ pipelineExecutionId: 'exec-bad' })), deps());
    assert.equal(result.passed, false);
    const [failure] = codepipeline.commandCalls(PutJobFailureResultCommand);
    assert.equal(failure!.args[0].input.failureDetails!.type, 'JobFailed');
    assert.match(failure!.args[0].input.failureDetails!.message!, /✘ failures: 1 \(needs ≤ 0\)/);
    assert.equal(codepipeline.commandCalls(PutJobSuccessResultCommand).length, 0);
  });

  it('fails the invocation too when the gate fails, so the stage stays shut however the rule judges', async () => {
    await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'failed' }], {
      pipelineExecutionId: 'exec-closed',
    });
    const handle = gateHandler(deps);
    await assert.rejects(
      handle(job(JOB[5]!, JSON.stringify({ pipelineExecutionId: 'exec-closed' }))),
      (error: Error) => error.name === 'GateFailed' && /failures: 1/.test(error.message),
    );
    assert.equal(codepipeline.commandCalls(PutJobFailureResultCommand).length, 1, 'and the job is told');
  });

  it('asks CodePipeline for the execution when the rule passes none, and fails clearly when no run matches', async () => {
    codepipeline
      .on(GetJobDetailsCommand)
      .resolves({ jobDetails: { id: JOB[3]!, data: { pipelineContext: { pipelineExecutionId: 'exec-none' } } } });
    const result = await gateJob(job(JOB[3]!, '#{codepipeline.PipelineExecutionId}'), deps());
    assert.equal(result.passed, false);
    assert.match(
      codepipeline.commandCalls(PutJobFailureResultCommand)[0]!.args[0].input.failureDetails!.message!,
      /no uigate run was recorded for pipeline execution exec-none/,
    );
  });

  it('answers the job even when the store is unreachable', async () => {
    const broken = {
      ...deps(),
      store: { listRuns: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')) } as never,
    };
    const result = await gateJob(job(JOB[4]!, JSON.stringify({ pipelineExecutionId: 'x' })), broken);
    assert.equal(result.passed, false);
    assert.match(
      codepipeline.commandCalls(PutJobFailureResultCommand)[0]!.args[0].input.failureDetails!.message!,
      /gate: ProvisionedThroughputExceededException/,
    );
  });
});
