// The example: this repository's sample site released by uigate, built only from what `uigate/cdk`
// exports — nothing here a team's own app cannot do. The sample site is a test site and a
// production site (S3 behind CloudFront); the pipeline builds this repository, runs its suite
// against the test site, and promotes tests/site to production.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import type { ISource } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import {
  PipelineSource,
  SiteDeployment,
  Uigate,
  UigatePipeline,
  WebSite,
  type ConnectionSourceProps,
  type UigateApprovalRules,
} from '../cdk/index.ts';

export interface UigateStackProps extends StackProps {
  readonly source: ConnectionSourceProps;
  /** The Lambda package (this repository's `npm run build:lambda`). */
  readonly code: Code;
  /** The status page (this repository's status-site/dist). */
  readonly page: ISource;
  readonly playwrightVersion: string;
  /** Reserved concurrency of the Lambda executor. @default none */
  readonly lambdaConcurrency?: number;
  /** uigate.config.ts's gate policy and approval rules. @default uigate's defaults, no approvers */
  readonly uigateConfig?: { gate?: object; approval?: UigateApprovalRules };
}

export class UigateStack extends Stack {
  constructor(scope: Construct, id: string, props: UigateStackProps) {
    super(scope, id, props);
    const uigate = new Uigate(this, 'Uigate', {
      code: props.code,
      page: props.page,
      playwrightVersion: props.playwrightVersion,
      lambdaConcurrency: props.lambdaConcurrency,
      gate: props.uigateConfig?.gate,
      approval: props.uigateConfig?.approval,
    });
    const testSite = new WebSite(this, 'TestSite', { comment: 'uigate: the site under test', logs: uigate.logs });
    const productionSite = new WebSite(this, 'ProductionSite', {
      comment: 'uigate: production',
      logs: uigate.logs,
      versioned: true,
    });
    new UigatePipeline(this, 'Release', {
      uigate,
      source: PipelineSource.connection(props.source),
      buildCommands: ['npm ci --no-audit --no-fund', 'npm run typecheck', 'npm run build'],
      testEnvironment: SiteDeployment.s3Site(testSite, 'tests/site'),
      production: SiteDeployment.s3Site(productionSite, 'tests/site'),
    });
    new CfnOutput(this, 'StatusSiteUrl', { value: uigate.statusUrl });
  }
}
