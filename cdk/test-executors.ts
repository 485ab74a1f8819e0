// Where batches run in AWS: the Lambda executor function (Chromium for Lambda, from
// `npm run build:lambda`) and the CodeBuild worker project (Playwright's own image, every browser).
import { Duration, Size } from 'aws-cdk-lib';
import {
  BuildSpec,
  ComputeType,
  LinuxBuildImage,
  Project,
  ReportGroup,
  ReportGroupType,
  Source,
} from 'aws-cdk-lib/aws-codebuild';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAMBDA_RUNTIME } from './node-runtime.ts';
import { grantUnitResults } from './results-access.ts';
import { WORKER_BUILDSPEC } from './worker-buildspec.ts';
import { acceptFindings, FUNCTION_FINDINGS } from './nag.ts';
import { ENV } from '../runner/core/env.ts';

/** Playwright's container image for the project's pinned Playwright (package.json). */
export const playwrightImage = (version: string) => `mcr.microsoft.com/playwright:v${version}-noble`;

export interface TestExecutorsProps {
  readonly table: ITableV2;
  readonly artifacts: IBucket;
  /** The Lambda package (`npm run build:lambda`: dist/lambda/uigate-lambda.zip). */
  readonly code: Code;
  /** Playwright version the worker image must match. */
  readonly playwrightVersion: string;
  readonly encryptionKey: IKey;
  /** Memory of the Lambda executor; Chromium needs room. @default Size.mebibytes(3008) */
  readonly memorySize?: Size;
  /** How long a Lambda batch may take; the planner keeps batches to 60 % of it. @default Duration.minutes(15) */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency of the Lambda executor. Reserving N needs N + 100 unreserved in the
   * account (Lambda keeps 100 unreserved); new accounts often have a quota of 10, where any
   * reservation fails the deployment. @default none — the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /** CodeBuild builds at once. @default 10 */
  readonly workerConcurrency?: number;
  /** The worker's compute type: room for `executors.codebuild.workers` browsers. @default ComputeType.MEDIUM */
  readonly workerComputeType?: ComputeType;
  /** Prefix of the function, project and report group names. @default 'uigate' */
  readonly name?: string;
}

export class TestExecutors extends Construct {
  readonly function: LambdaFunction;
  readonly worker: Project;
  readonly reportGroup: ReportGroup;

  constructor(scope: Construct, id: string, props: TestExecutorsProps) {
    super(scope, id);
    const name = props.name ?? 'uigate';
    this.function = new LambdaFunction(this, 'LambdaExecutor', {
      functionName: `${name}-executor`,
      description: 'uigate: runs one batch of Playwright units with @sparticuz/chromium',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.X86_64,
      handler: 'lambda.handler',
      code: props.code,
      memorySize: (props.memorySize ?? Size.mebibytes(3008)).toMebibytes(),
      timeout: props.timeout ?? Duration.minutes(15),
      ephemeralStorageSize: Size.gibibytes(2),
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup: new LogGroup(this, 'LambdaExecutorLogs', { retention: RetentionDays.ONE_MONTH }),
      environment: {
        [ENV.store]: 'dynamodb',
        [ENV.table]: props.table.tableName,
        [ENV.artifactsBucket]: props.artifacts.bucketName,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // The reporter inside writes unit results (conditional PutItem) and uploads artifacts; the
    // function reads the commit's test bundle the run uploaded (lambda/test-source.ts: bundleKey,
    // <prefix>bundles/<sha256>.tgz) — it holds no tests of its own, so it can never run stale ones.
    grantUnitResults(props.table, this.function);
    props.artifacts.grantPut(this.function);
    props.artifacts.grantRead(this.function, '*bundles/*');

    this.worker = new Project(this, 'Worker', {
      projectName: `${name}-worker`,
      description: 'uigate worker: runs one batch in Playwright’s container (cdk/worker-buildspec.ts)',
      // Each run uploads its source here (source/<commit>.zip) and overrides the location per build.
      source: Source.s3({ bucket: props.artifacts, path: 'source/latest.zip' }),
      buildSpec: BuildSpec.fromObject(WORKER_BUILDSPEC),
      environment: {
        buildImage: LinuxBuildImage.fromDockerRegistry(playwrightImage(props.playwrightVersion)),
        computeType: props.workerComputeType ?? ComputeType.MEDIUM,
        environmentVariables: {
          [ENV.table]: { value: props.table.tableName },
          [ENV.artifactsBucket]: { value: props.artifacts.bucketName },
        },
      },
      concurrentBuildLimit: props.workerConcurrency ?? 10,
      timeout: Duration.minutes(60),
      encryptionKey: props.encryptionKey,
      logging: { cloudWatch: { logGroup: new LogGroup(this, 'WorkerLogs', { retention: RetentionDays.ONE_MONTH }) } },
    });
    // The worker reads its batch and units and writes results.
    grantUnitResults(props.table, this.worker, { read: true });
    props.artifacts.grantPut(this.worker);
    // Source.s3 grants read on its own path only (source/latest.zip), but every build overrides
    // the location with its commit's zip (source/<commit>.zip): the worker reads any of them.
    props.artifacts.grantRead(this.worker, 'source/*');

    this.reportGroup = new ReportGroup(this, 'JUnit', {
      reportGroupName: `${name}-junit`,
      type: ReportGroupType.TEST,
      zipExport: false,
    });
    acceptFindings(this, [
      ...FUNCTION_FINDINGS,
      {
        id: 'AwsSolutions-CB5',
        reason:
          'The worker must run in Playwright’s own image (mcr.microsoft.com/playwright, pinned to the project’s Playwright version): it carries Chromium, Firefox and WebKit with their system libraries, which CodeBuild’s images do not.',
      },
    ]);
  }

  /** Starting, watching and stopping builds of the worker, and nothing else (what `uigate run --executor codebuild` does). */
  grantStartWorker(grantee: IGrantable): void {
    // CodeBuild has no grant for starting a project's builds: this statement is that grant, scoped to the worker.
    Grant.addToPrincipal({
      grantee,
      actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild'],
      resourceArns: [this.worker.projectArn],
    });
  }
}
