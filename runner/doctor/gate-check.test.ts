import assert from 'node:assert/strict';
import { CodePipelineClient, ListRuleExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { resolveConfig } from '../config/config.ts';
import { gateJob } from '../gate/gate-function.ts';
import { gateHistoryCheck } from './gate-check.ts';
import { checkRequests } from '../testing/botocore-model.ts';

// CodePipeline's side is a mock (no stand-in exists): what its rule did is the input here. The
// gate's side is real: gateJob judges seeded runs and stores its decisions as it does in Lambda.
describe('uigate doctor: the Approval gate as the pipeline applied it', () => {
  let seed: SeededStore;
  const codepipeline = mockClient(CodePipelineClient);
  afterEach(checkRequests(codepipeline, 'codepipeline'));
  const config = resolveConfig(
    { gate: { maxFailures: 0 }, approval: { approvers: ['arn:aws:sts::123456789012:assumed-role/ReleaseManager/*'] } },
    '/tmp',
    {},
  );
  const rule = (pipelineExecutionId: string, status: 'Succeeded' | 'Failed' | 'InProgress') => ({
    pipelineExecutionId,
    stageName: 'Approval',
    ruleName: 'UigateGatePolicy',
    status,
  });
  const check = () =>
    gateHistoryCheck(new CodePipelineClient({ region: 'eu-west-1' }), seed.store, { pipelineName: 'uigate-release' });

  before(async () => {
    seed = await seededStore();
    for (const [execution, status, jobId] of [
      ['exec-red', 'failed', '00000000-0000-4000-8000-000000000001'],
      ['exec-green', 'passed', '00000000-0000-4000-8000-000000000002'],
    ] as const) {
      await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status }], { pipelineExecutionId: execution });
      codepipeline.resolves({});
      await gateJob(
        {
          'CodePipeline.job': {
            id: jobId,
            data: {
              actionConfiguration: {
                configuration: { UserParameters: JSON.stringify({ pipelineExecutionId: execution }) },
              },
            },
          },
        },
        { store: seed.store, codepipeline: new CodePipelineClient({ region: 'eu-west-1' }), config },
      );
    }
  });
  after(() => seed.remove());
  beforeEach(() => codepipeline.reset());

  it('passes when a failing run kept the stage shut and a passing one opened it', async () => {
    codepipeline.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [
        rule('exec-red', 'Failed'),
        rule('exec-green', 'Succeeded'),
        rule('exec-other', 'InProgress'),
      ],
    });
    const outcome = await check().run();
    assert.equal(outcome.status, 'pass', outcome.detail);
    assert.equal(outcome.detail, '1 failing run(s) kept the stage shut, 1 passing run(s) opened it');
  });

  it('fails, naming the execution, when a run that failed the gate entered the stage anyway (fail-open)', async () => {
    codepipeline.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [rule('exec-green', 'Succeeded'), rule('exec-red', 'Succeeded')],
    });
    const outcome = await check().run();
    assert.equal(outcome.status, 'fail');
    assert.match(
      outcome.detail,
      /execution exec-red: run \S+ failed the gate, yet the stage's rule UigateGatePolicy succeeded — the gate is open/,
    );
    assert.match(outcome.fix!, /stop promoting/);
  });

  it('says what to push when only passing runs have been through the pipeline', async () => {
    codepipeline.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [rule('exec-green', 'Succeeded')] });
    const outcome = await check().run();
    assert.equal(outcome.status, 'skip');
    assert.match(outcome.fix!, /push a commit with a failing test/);
  });
});
