// One stack, everything a team needs: the results table, the buckets and sites, the executors,
// the status site and the release pipeline. Composed of one construct per concern.
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { Key } from 'aws-cdk-lib/aws-kms';
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
  source: SourceRepository;
  /** The Lambda package for the executor and the status API. */
  code: Code;
  playwrightVersion: string;
  /** Days screenshots and traces are kept. @default 30 */
  artifactDays?: number;
  /** Reserved concurrency of the Lambda executor. @default 50 */
  lambdaConcurrency?: number;
  /** uigate.config.ts's gate policy and approval rules, for the gate and approval functions. */
  uigateConfig?: { gate?: object; approval?: { approvers: string[]; [key: string]: unknown } };
}

const PIPELINE_NAME = 'uigate-release';

export class UigateStack extends Stack {
  constructor(scope: Construct, id: string, props: UigateStackProps) {
    super(scope, id, props);
    const key = new Key(this, 'Key', {
      description: 'uigate: build projects and the approvals topic',
      enableKeyRotation: true,
    });
    const logs = new PrivateBucket(this, 'Logs', { expireAfterDays: 90, cloudFrontLogs: true });
    const artifacts = new PrivateBucket(this, 'Artifacts', {
      accessLogs: logs.bucket,
      expireAfterDays: props.artifactDays ?? 30,
    }).bucket;
    const pipelineArtifacts = new PrivateBucket(this, 'PipelineArtifacts', {
      accessLogs: logs.bucket,
      expireAfterDays: 30,
    }).bucket;
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
    });
    const testSite = new WebSite(this, 'TestSite', { comment: 'uigate: the site under test', logs: logs.bucket });
    const productionSite = new WebSite(this, 'ProductionSite', {
      comment: 'uigate: production',
      logs: logs.bucket,
      versioned: true,
    });
    const approvals = new Topic(this, 'Approvals', {
      displayName: 'uigate approvals',
      masterKey: key,
      enforceSSL: true,
    });

    const statusUrl = `https://${status.site.distribution.distributionDomainName}`;
    // The smoke tests against production publish here during every bake (`uigate verify`).
    const smokeAlarm = new Alarm(this, 'SmokeAlarm', {
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
      statusSite: status.site,
      productionSite,
      approvals,
    });
    suppressWithReasons(this, logs.bucket);
  }
}
