// `uigate doctor --aws`: the checks a team runs once in its own account after `cdk deploy` (and
// again after its first pipeline runs), in the order they depend on each other.
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import { s3Client } from '../artifacts/s3-artifacts.ts';
import type { ResolvedConfig } from '../config/config.ts';
import { connectStore } from '../store/open-store.ts';
import type { ResultStore } from '../store/result-store.ts';
import { S3SiteTarget } from '../verify/s3-site-target.ts';
import {
  codebuildConcurrencyCheck,
  codebuildWorkerSizeCheck,
  IDENTITY,
  identityCheck,
  lambdaConcurrencyCheck,
} from './account-checks.ts';
import { skipped, type Check } from './check.ts';
import { executorChromiumCheck } from './executor-check.ts';
import { gateHistoryCheck } from './gate-check.ts';
import { rollbackDrillCheck } from './rollback-drill.ts';

export interface AwsDoctorOptions {
  pipelineName: string;
  /** A site behind CloudFront to drill a rollback on: its bucket and URL (production's). */
  site?: { bucket: string; url: string };
}

export interface AwsClients {
  sts: STSClient;
  lambda: LambdaClient;
  codebuild: CodeBuildClient;
  quotas: ServiceQuotasClient;
  codepipeline: CodePipelineClient;
  store: ResultStore;
  site?: S3SiteTarget;
  close(): Promise<void>;
}

type Config = Pick<ResolvedConfig, 'executors' | 'store'>;

export function awsClients(config: Config, options: AwsDoctorOptions): AwsClients {
  const region = config.store.region;
  const lambda = config.executors.lambda;
  const clients = {
    sts: new STSClient({ region }),
    lambda: new LambdaClient({ region: lambda.region, endpoint: lambda.endpoint }),
    codebuild: new CodeBuildClient({ region: config.executors.codebuild.region }),
    quotas: new ServiceQuotasClient({ region: config.executors.codebuild.region }),
    codepipeline: new CodePipelineClient({ region }),
  };
  // The stack's table in AWS, whatever store local runs use.
  const store = connectStore({ table: config.store.table, region, retentionDays: config.store.retentionDays });
  const s3 = options.site ? s3Client({ region }) : undefined;
  return {
    ...clients,
    store,
    site: options.site && s3 ? new S3SiteTarget(s3, options.site.bucket) : undefined,
    async close() {
      for (const client of Object.values(clients)) client.destroy();
      s3?.destroy();
      await store.close();
    },
  };
}

export function awsChecks(
  config: Config,
  options: AwsDoctorOptions,
  clients: AwsClients,
): (Check & { needs?: string })[] {
  const { lambda, codebuild } = config.executors;
  const noSite: Check = {
    name: 'rollback reaches users',
    run: async () =>
      skipped(
        'no site named to drill a rollback on',
        'add --site s3://<ProductionSiteBucket> --site-url <ProductionSiteUrl> (stack outputs); users see no change',
      ),
  };
  return [
    identityCheck(clients.sts, config.store.region),
    { ...lambdaConcurrencyCheck(clients.lambda, lambda.concurrency), needs: IDENTITY },
    {
      ...codebuildConcurrencyCheck(clients.codebuild, clients.quotas, codebuild.projectName, codebuild.concurrency),
      needs: IDENTITY,
    },
    { ...codebuildWorkerSizeCheck(clients.codebuild, codebuild.projectName, codebuild), needs: IDENTITY },
    { ...executorChromiumCheck(clients.lambda, lambda.functionName), needs: IDENTITY },
    {
      ...gateHistoryCheck(clients.codepipeline, clients.store, { pipelineName: options.pipelineName }),
      needs: IDENTITY,
    },
    {
      ...(clients.site && options.site
        ? rollbackDrillCheck({ target: clients.site, url: options.site.url, store: clients.store })
        : noSite),
      needs: IDENTITY,
    },
  ];
}
