import assert from 'node:assert/strict';
import { describe, it, afterEach } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchGetProjectsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
import {
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { codebuildConcurrencyCheck, lambdaConcurrencyCheck } from './account-checks.ts';
import { explainAwsError, formatOutcome, runChecks, skipped, type Check } from './check.ts';
import { checkRequests } from '../testing/botocore-model.ts';

const lambda = mockClient(LambdaClient);
const codebuild = mockClient(CodeBuildClient);
const quotas = mockClient(ServiceQuotasClient);
const checks = [
  checkRequests(lambda, 'lambda'),
  checkRequests(codebuild, 'codebuild'),
  checkRequests(quotas, 'service-quotas'),
];
afterEach(() => {
  checks.forEach((check) => check());
  [lambda, codebuild, quotas].forEach((mock) => mock.reset());
});

const quota = (QuotaName: string, Value: number) => ({ QuotaName, Value, ServiceCode: 'codebuild' });
const DEFAULTS = [
  quota('Concurrently running builds for Linux/2xLarge environment', 1),
  quota('Concurrently running builds for Linux/Large environment', 15),
  quota('Concurrently running builds for Linux/Medium environment', 15),
  quota('Concurrently running builds for ARM/Large environment', 15),
  quota('Concurrently running builds for Linux GPU Large environment', 0),
];

describe('uigate doctor: the account’s quotas', () => {
  it('fails when fewer unreserved Lambda executions remain than the config fans out to, naming the number to use', async () => {
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const outcome = await lambdaConcurrencyCheck(new LambdaClient({}), 20).run();
    assert.equal(outcome.status, 'fail');
    assert.match(outcome.detail, /10 unreserved of 10 .* executors\.lambda\.concurrency is 20/);
    assert.match(outcome.fix!, /set executors\.lambda\.concurrency to 10/);
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
    assert.equal((await lambdaConcurrencyCheck(new LambdaClient({}), 20).run()).status, 'pass');
  });

  it('finds the concurrent-build quota for the worker’s own compute type, the applied value before the default', async () => {
    codebuild.on(BatchGetProjectsCommand).resolves({
      projects: [{ name: 'uigate-worker', environment: { computeType: 'BUILD_GENERAL1_LARGE' } as never }],
    });
    quotas.on(ListServiceQuotasCommand).resolves({ Quotas: [] });
    quotas.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: DEFAULTS });
    const large = await codebuildConcurrencyCheck(
      new CodeBuildClient({}),
      new ServiceQuotasClient({}),
      'uigate-worker',
      10,
    ).run();
    assert.equal(large.status, 'pass', large.detail);
    assert.match(large.detail, /Linux\/Large environment: 15/);

    // An account whose Medium quota was lowered to 4, and a project that allows 3.
    codebuild.on(BatchGetProjectsCommand).resolves({
      projects: [
        {
          name: 'uigate-worker',
          environment: { computeType: 'BUILD_GENERAL1_MEDIUM' } as never,
          concurrentBuildLimit: 3,
        },
      ],
    });
    quotas
      .on(ListServiceQuotasCommand)
      .resolves({ Quotas: [quota('Concurrently running builds for Linux/Medium environment', 4)] });
    const medium = await codebuildConcurrencyCheck(
      new CodeBuildClient({}),
      new ServiceQuotasClient({}),
      'uigate-worker',
      10,
    ).run();
    assert.equal(medium.status, 'fail');
    assert.match(medium.detail, /Medium environment: 4, project limit 3/);
    assert.match(medium.fix!, /set executors\.codebuild\.concurrency to 3/);
  });

  it('says it could not check, and where to look, when Service Quotas names no such quota', async () => {
    codebuild.on(BatchGetProjectsCommand).resolves({
      projects: [{ name: 'uigate-worker', environment: { computeType: 'BUILD_GENERAL1_SMALL' } as never }],
    });
    quotas.on(ListServiceQuotasCommand).resolves({ Quotas: [] });
    quotas.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: DEFAULTS });
    const outcome = await codebuildConcurrencyCheck(
      new CodeBuildClient({}),
      new ServiceQuotasClient({}),
      'uigate-worker',
      10,
    ).run();
    assert.equal(outcome.status, 'skip');
    assert.match(outcome.fix!, /Service Quotas → AWS CodeBuild; it should be at least 10/);
  });
});

describe('uigate doctor: running checks', () => {
  it('turns an AWS error into a failure that says what to do, and skips what needed a failed check', async () => {
    const denied = Object.assign(new Error('not authorized to perform: sts:GetCallerIdentity'), {
      name: 'AccessDenied',
    });
    const checks: (Check & { needs?: string })[] = [
      { name: 'AWS credentials', run: () => Promise.reject(denied) },
      { name: 'quota', needs: 'AWS credentials', run: () => Promise.reject(new Error('never run')) },
      { name: 'later', run: async () => skipped('nothing to see') },
    ];
    const lines: string[] = [];
    const report = await runChecks(checks, (name, outcome) => lines.push(formatOutcome(name, outcome)));
    assert.equal(report.failures, 1);
    assert.equal(report.skips, 2);
    assert.match(lines[0]!, /^✗ AWS credentials: AccessDenied: not authorized/);
    assert.match(lines[0]!, /\n {4}→ run the doctor with credentials allowed the call named above/);
    assert.equal(lines[1], '– quota: needs "AWS credentials" to pass first');
    const offline = explainAwsError(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'));
    assert.match(offline.fix!, /AWS is not reachable from here/);
  });
});
