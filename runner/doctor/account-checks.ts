// What the account must allow before a run fans out: who the doctor is, and whether the Lambda
// and CodeBuild quotas let the configured number of batches run at once.
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { BatchGetProjectsCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import {
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  type ServiceQuota,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import type { CodeBuildCompute } from '../config/config.ts';
import { failed, passed, skipped, type Check } from './check.ts';

export const IDENTITY = 'AWS credentials';

export const identityCheck = (sts: STSClient, region: string): Check => ({
  name: IDENTITY,
  async run() {
    const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
    return passed(`${Arn} in account ${Account}, region ${region}`);
  },
});

/**
 * Lambda's GetAccountSettings: `UnreservedConcurrentExecutions` is what functions without
 * reserved concurrency (the executor has none) share; new accounts often have 10 (Lambda
 * developer guide, "Lambda quotas": new accounts have reduced concurrency quotas).
 */
export const lambdaConcurrencyCheck = (lambda: LambdaClient, wanted: number): Check => ({
  name: 'Lambda concurrency',
  async run() {
    const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    const seen = `${unreserved} unreserved of ${AccountLimit?.ConcurrentExecutions ?? '?'} concurrent executions; executors.lambda.concurrency is ${wanted}`;
    if (unreserved >= wanted) return passed(seen);
    return failed(
      seen,
      `ask for more "Concurrent executions" (Service Quotas → AWS Lambda), or set executors.lambda.concurrency to ${unreserved} in uigate.config.ts — batches over the quota are throttled and wait`,
    );
  },
});

/** Turns a compute type into the word Service Quotas names its quota by: BUILD_GENERAL1_MEDIUM → /\bmedium\b/. */
function sizeWord(computeType: string): RegExp {
  const size = computeType.replace(/^BUILD_GENERAL\d_/, '').toLowerCase();
  return new RegExp(`(^|[^0-9a-z])${size}([^0-9a-z]|$)`, 'i');
}

async function quotasOf(quotas: ServiceQuotasClient, applied: boolean): Promise<ServiceQuota[]> {
  const found: ServiceQuota[] = [];
  let NextToken: string | undefined;
  do {
    const page = await quotas.send(
      applied
        ? new ListServiceQuotasCommand({ ServiceCode: 'codebuild', NextToken })
        : new ListAWSDefaultServiceQuotasCommand({ ServiceCode: 'codebuild', NextToken }),
    );
    found.push(...(page.Quotas ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/**
 * Checks the concurrent builds quota. CodeBuild runs at most the account's "concurrently running
 * builds" for the project's platform and compute type, and queues the rest (CodeBuild user guide,
 * "Builds in AWS CodeBuild"); a project's own concurrentBuildLimit refuses builds beyond it. The
 * quota is found by its name in Service Quotas, the account's applied value first, AWS's default
 * otherwise.
 */
export const codebuildConcurrencyCheck = (
  codebuild: CodeBuildClient,
  quotas: ServiceQuotasClient,
  projectName: string,
  wanted: number,
): Check => ({
  name: 'CodeBuild concurrent builds',
  async run() {
    const { projects = [] } = await codebuild.send(new BatchGetProjectsCommand({ names: [projectName] }));
    const project = projects[0];
    if (!project)
      return failed(`no CodeBuild project ${projectName}`, 'deploy the stack, or set executors.codebuild.projectName');
    const computeType = project.environment?.computeType ?? 'BUILD_GENERAL1_MEDIUM';
    const matches = (quota: ServiceQuota) =>
      /concurrent/i.test(quota.QuotaName ?? '') &&
      /linux/i.test(quota.QuotaName ?? '') &&
      !/gpu|arm/i.test(quota.QuotaName ?? '') &&
      sizeWord(computeType).test(quota.QuotaName ?? '');
    const quota = (await quotasOf(quotas, true)).find(matches) ?? (await quotasOf(quotas, false)).find(matches);
    if (quota?.Value === undefined)
      return skipped(
        `no Service Quotas entry for concurrent Linux ${computeType} builds was found`,
        `look up "Concurrently running builds for Linux/${computeType}" in Service Quotas → AWS CodeBuild; it should be at least ${wanted}`,
      );
    const limit = Math.min(quota.Value, project.concurrentBuildLimit ?? Infinity);
    const seen = `${quota.QuotaName}: ${quota.Value}${project.concurrentBuildLimit ? `, project limit ${project.concurrentBuildLimit}` : ''}; executors.codebuild.concurrency is ${wanted}`;
    if (limit >= wanted) return passed(seen);
    return failed(
      seen,
      `ask for more (Service Quotas → AWS CodeBuild → ${quota.QuotaName}), or set executors.codebuild.concurrency to ${limit} — builds over it queue and the run waits`,
    );
  },
});

/**
 * vCPUs of the on-demand Linux compute types (CodeBuild API reference, `ProjectEnvironment`:
 * SMALL "up to 4 GiB memory and 2 vCPUs", MEDIUM "8 GiB … 4 vCPUs", LARGE "16 GiB … 8 vCPUs").
 */
const VCPUS: Record<string, number> = {
  BUILD_GENERAL1_SMALL: 2,
  BUILD_GENERAL1_MEDIUM: 4,
  BUILD_GENERAL1_LARGE: 8,
} satisfies Record<CodeBuildCompute, number>;

/**
 * Checks that the worker project is the size uigate plans for: the compute type the run's cost is
 * priced at (`executors.codebuild.computeType`), and room for `executors.codebuild.workers`
 * browsers — at most a vCPU each (Playwright's own default is one worker per two).
 */
export const codebuildWorkerSizeCheck = (
  codebuild: CodeBuildClient,
  projectName: string,
  wanted: { workers: number; computeType: CodeBuildCompute },
): Check => ({
  name: 'CodeBuild worker size',
  async run() {
    const { projects = [] } = await codebuild.send(new BatchGetProjectsCommand({ names: [projectName] }));
    const computeType = projects[0]?.environment?.computeType;
    if (!computeType)
      return skipped(`no CodeBuild project ${projectName} to look at`, 'see "CodeBuild concurrent builds" above');
    const vcpus = VCPUS[computeType];
    const seen = `${projectName} is ${computeType}${vcpus ? ` (${vcpus} vCPUs)` : ''}; executors.codebuild.workers is ${wanted.workers}, computeType ${wanted.computeType}`;
    if (computeType !== wanted.computeType)
      return failed(
        seen,
        `set executors.codebuild.computeType to "${computeType}": run plans price every build as ${wanted.computeType}`,
      );
    if (vcpus !== undefined && wanted.workers > vcpus)
      return failed(
        seen,
        `set executors.codebuild.workers to ${vcpus} or fewer, or deploy a larger worker (the Uigate construct's workerComputeType): more browsers than vCPUs slow every test`,
      );
    return passed(seen);
  },
});
