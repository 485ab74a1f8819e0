// One stack, everything a team needs: the results table, the buckets and sites, the executors,
// the status site and the release pipeline. Composed of one construct per concern.
import type { ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { type Construct } from 'constructs';
import { ApprovalGate } from './constructs/approval-gate.ts';
import { PrivateBucket } from './constructs/private-bucket.ts';
import { ReleasePipeline, type SourceRepository } from './constructs/release-pipeline.ts';
import { ResultsTable } from './constructs/results-table.ts';
import { StatusSite } from './constructs/status-site.ts';
import { TestExecutors } from './constructs/test-executors.ts';
import { WebSite } from './constructs/web-site.ts';
import { suppressWithReasons } from './nag-suppressions.ts';

export interface UigateStackProps extends StackProps {
  readonly source: SourceRepository;
  /** The Lambda package for the executor and the status API. */
  readonly code: Code;
  /** The status page (status-site/dist), deployed with the stack: approvers see trusted code. */
  readonly page: ISource;
  readonly playwrightVersion: string;
  /** How long screenshots, traces and test bundles are kept. @default Duration.days(30) */
  readonly artifactRetention?: Duration;
  /** Reserved concurrency of the Lambda executor (see TestExecutorsProps). @default none */
  readonly lambdaConcurrency?: number;
  /** uigate.config.ts's gate policy and approval rules, for the gate and approval functions. @default no rules but uigate's defaults, no approvers */
  readonly uigateConfig?: { gate?: object; approval?: { approvers: string[]; [key: string]: unknown } };
}

const PIPELINE_NAME = 'uigate-release';

export class UigateStack extends Stack {
  constructor(scope: Construct, id: string, props: UigateStackProps) {
    super(scope, id, props);
    const { key, logs, artifacts, pipelineArtifacts } = this.storage(props);
    const results = new ResultsTable(this, 'Results');

    const executors = new TestExecutors(this, 'Executors', {
      table: results.table,
      artifacts,
      code: props.code,
      playwrightVersion: props.playwrightVersion,
      encryptionKey: key,
      reservedConcurrency: props.lambdaConcurrency,
    });
    // Signs the status site's sign-in links and sessions: reading results needs an IAM identity.
    const sessionSecret = new Secret(this, 'SessionKey', {
      description: 'uigate: signs status site sign-in links and sessions (put a new random value to sign everyone out)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const status = new StatusSite(this, 'Status', {
      table: results.table,
      artifacts,
      logs: logs.bucket,
      code: props.code,
      sessionSecret,
      page: props.page,
    });
    const { testSite, productionSite } = this.sites(logs.bucket);
    const approvals = new Topic(this, 'Approvals', {
      displayName: 'uigate approvals',
      masterKey: key,
      enforceSSL: true,
    });

    const statusUrl = `https://${status.site.distribution.distributionDomainName}`;
    const smokeAlarm = this.smokeAlarm(productionSite);
    const gate = new ApprovalGate(this, 'Gate', {
      table: results.table,
      code: props.code,
      topic: approvals,
      pipelineName: PIPELINE_NAME,
      config: props.uigateConfig ?? {},
      statusUrl,
      sessionSecret,
    });

    new ReleasePipeline(this, 'Release', {
      pipelineName: PIPELINE_NAME,
      gateFunction: gate.gateFunction,
      smokeAlarm,
      statusUrl,
      source: props.source,
      table: results.table,
      artifacts,
      pipelineArtifacts,
      encryptionKey: key,
      executorFunction: executors.function,
      worker: executors.worker,
      reportGroup: executors.reportGroup,
      testSite,
      productionSite,
      approvals,
    });
    suppressWithReasons(this, logs.bucket);
  }

  /** The smoke tests against production publish here during every bake (`uigate verify`). */
  private smokeAlarm(productionSite: WebSite): Alarm {
    return new Alarm(this, 'SmokeAlarm', {
      alarmName: 'uigate-production-smoke',
      alarmDescription: 'uigate: @smoke UI tests failing against production (uigate verify publishes SmokeFailures)',
      metric: new Metric({
        namespace: 'uigate',
        metricName: 'SmokeFailures',
        dimensionsMap: { Site: productionSite.distribution.distributionDomainName },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** The key, the access-log bucket, the artifacts bucket and the pipeline's. */
  private storage(props: UigateStackProps) {
    const key = new Key(this, 'Key', {
      description: 'uigate: build projects and the approvals topic',
      enableKeyRotation: true,
    });
    const logs = new PrivateBucket(this, 'Logs', { expireAfter: Duration.days(90), cloudFrontLogs: true });
    const artifacts = new PrivateBucket(this, 'Artifacts', {
      accessLogs: logs.bucket,
      presignedReads: true,
      expireAfter: props.artifactRetention ?? Duration.days(30),
    }).bucket;
    const pipelineArtifacts = new PrivateBucket(this, 'PipelineArtifacts', {
      accessLogs: logs.bucket,
      expireAfter: Duration.days(30),
    }).bucket;
    return { key, logs, artifacts, pipelineArtifacts };
  }

  /** The site under test and production, both S3 behind CloudFront. */
  private sites(logs: IBucket) {
    const testSite = new WebSite(this, 'TestSite', { comment: 'uigate: the site under test', logs: logs });
    const productionSite = new WebSite(this, 'ProductionSite', {
      comment: 'uigate: production',
      logs: logs,
      versioned: true,
    });
    // What `uigate doctor --aws --site … --site-url …` drills a rollback on.
    new CfnOutput(this, 'ProductionSiteBucket', { value: `s3://${productionSite.bucket.bucketName}` });
    new CfnOutput(this, 'ProductionSiteUrl', {
      value: `https://${productionSite.distribution.distributionDomainName}`,
    });
    return { testSite, productionSite };
  }
}
