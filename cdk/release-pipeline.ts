// The release pipeline, CodePipeline V2: Source → Build → Test → Approval → Production.
// Test deploys the test site (the status page is the stack's, deployed from trusted code), then `uigate run` fans the suite out to
// CodeBuild and Lambda and fails the stage on any failed unit. The Approval stage is entered only
// if the gate policy passes (a beforeEntry LambdaInvoke rule); its manual approval carries the
// run's commit, branch, counts and link, and Production deploys exactly the artifact approved.
// Production runs pre-flight, promotes the approved artifact, bakes it with `uigate verify` (smoke
// tests publishing to CloudWatch, every alarm watched) and rolls back on alarm — the one rollback
// mechanism: a CodePipeline onSuccess ROLLBACK would re-run the Deploy action, whose own
// pre-flight refuses while the alarm is in ALARM (undocumented either way; one mechanism is safe).
import { Duration } from 'aws-cdk-lib';
import {
  BuildEnvironmentVariableType,
  BuildSpec,
  ComputeType,
  LinuxBuildImage,
  PipelineProject,
  type IProject,
  type ReportGroup,
} from 'aws-cdk-lib/aws-codebuild';
import { Artifact, Pipeline, PipelineType, Result, Rule, type StageProps } from 'aws-cdk-lib/aws-codepipeline';
import {
  CodeBuildAction,
  CodeStarConnectionsSourceAction,
  ManualApprovalAction,
} from 'aws-cdk-lib/aws-codepipeline-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import nag from 'cdk-nag';
import { Construct } from 'constructs';
import type { WebSite } from './web-site.ts';
import { CODEBUILD_RUNTIME } from './node-runtime.ts';
import { grantRunRecording } from './results-access.ts';
import { ENV } from '../../runner/core/env.ts';

export interface SourceRepository {
  /** CodeConnections (CodeStar) connection to GitHub. */
  readonly connectionArn: string;
  readonly owner: string;
  readonly repo: string;
  /** @default 'main' */
  readonly branch?: string;
}

export interface ReleasePipelineProps {
  readonly source: SourceRepository;
  readonly table: ITableV2;
  readonly artifacts: IBucket;
  readonly pipelineArtifacts: IBucket;
  readonly encryptionKey: IKey;
  readonly executorFunction: IFunction;
  readonly worker: IProject;
  readonly reportGroup: ReportGroup;
  readonly testSite: WebSite;
  readonly productionSite: WebSite;
  readonly approvals: ITopic;
  /** The gate policy function (beforeEntry condition of the Approval stage). */
  readonly gateFunction: IFunction;
  /** Base URL of the status site. */
  readonly statusUrl: string;
  /** @default 'uigate-release' */
  readonly pipelineName?: string;
  /** The alarm on the production smoke tests (namespace uigate, SmokeFailures). */
  readonly smokeAlarm: IAlarm;
  /** How long production is baked after promotion. @default 10 minutes */
  readonly bake?: Duration;
}

/**
 * Digest of the site a release deploys (`uigate digest`, the same on every machine): the Test stage
 * records it with the run, and so in the approval; `uigate promote` refuses anything else.
 */
const SITE_DIGEST = '"$(node bin/uigate.js digest tests/site)"';

const NODE_IMAGE = LinuxBuildImage.STANDARD_7_0;

export class ReleasePipeline extends Construct {
  readonly pipeline: Pipeline;
  readonly orchestrator: PipelineProject;

  constructor(scope: Construct, id: string, props: ReleasePipelineProps) {
    super(scope, id);
    const source = new Artifact('Source');
    const built = new Artifact('Built');
    const build = this.buildProject(props);
    this.orchestrator = this.testProject(props);
    const deploy = this.deployProject(props);
    const checkout = sourceAction(props, source);
    const tests = new CodeBuildAction({
      actionName: 'UiTests',
      project: this.orchestrator,
      input: built,
      variablesNamespace: 'UiTests',
      environmentVariables: {
        [ENV.pipelineExecutionId]: { value: '#{codepipeline.PipelineExecutionId}' },
        // The commit and branch from the source action itself: a CodeBuild checkout of a pipeline
        // artifact is a detached HEAD, and CODEBUILD_RESOLVED_SOURCE_VERSION is not documented to
        // be the commit for it. The run, its approval and the workers' source zip all use these.
        [ENV.commit]: { value: checkout.variables.commitId },
        [ENV.branch]: { value: checkout.variables.branchName },
      },
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName ?? 'uigate-release',
      pipelineType: PipelineType.V2,
      artifactBucket: props.pipelineArtifacts,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      stages: [
        { stageName: 'Source', actions: [checkout] },
        {
          stageName: 'Build',
          actions: [new CodeBuildAction({ actionName: 'Build', project: build, input: source, outputs: [built] })],
        },
        { stageName: 'Test', actions: [tests] },
        approvalStage(props, tests),
        productionStage(props, deploy, built, tests),
      ],
    });
    // CodePipeline evaluates the rule with the pipeline's role.
    props.gateFunction.grantInvoke(this.pipeline.role);
  }

  /** Build: type-check, the status page, the Lambda package. */
  private buildProject(props: ReleasePipelineProps): PipelineProject {
    return new PipelineProject(this, 'Build', {
      description: 'uigate: type-check and build the Lambda package and the status page',
      environment: { buildImage: NODE_IMAGE, computeType: ComputeType.MEDIUM },
      encryptionKey: props.encryptionKey,
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { ...CODEBUILD_RUNTIME, commands: ['npm ci --no-audit --no-fund'] },
          build: { commands: ['npm run typecheck', 'npm run build', 'npm run build:lambda'] },
        },
        artifacts: {
          'base-directory': '.',
          files: ['**/*'],
          'exclude-paths': ['node_modules/**/*', 'dist/lambda/package/**/*'],
        },
      }),
    });
  }

  /** Test: the sites, the commit's source for the workers, and `uigate run` fanning out. */
  private testProject(props: ReleasePipelineProps): PipelineProject {
    const orchestrator = new PipelineProject(this, 'Orchestrator', {
      description: 'uigate run: fans the suite out to CodeBuild and Lambda; fails on any failed unit',
      environment: {
        buildImage: NODE_IMAGE,
        computeType: ComputeType.SMALL,
        environmentVariables: {
          [ENV.store]: { value: 'dynamodb' },
          [ENV.table]: { value: props.table.tableName },
          [ENV.artifactsBucket]: { value: props.artifacts.bucketName },
          [ENV.lambdaFunction]: { value: props.executorFunction.functionName },
          [ENV.codebuildProject]: { value: props.worker.projectName },
          TEST_SITE_BUCKET: { value: props.testSite.bucket.bucketName },
          TEST_SITE_URL: { value: `https://${props.testSite.distribution.distributionDomainName}` },
          STATUS_SITE_URL: { value: props.statusUrl, type: BuildEnvironmentVariableType.PLAINTEXT },
          [ENV.statusUrl]: { value: props.statusUrl },
          [ENV.snsTopic]: { value: props.approvals.topicArn },
        },
      },
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(90),
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        // Carried into the approval message and the Production stage as #{UiTests.<name>}.
        env: { 'exported-variables': [ENV.runId, ENV.summary, ENV.commit, ENV.branch, ENV.runUrl, ENV.artifactDigest] },
        phases: {
          install: { ...CODEBUILD_RUNTIME, commands: ['npm ci --no-audit --no-fund'] },
          build: {
            commands: [
              `export UIGATE_ARTIFACT_DIGEST=${SITE_DIGEST}`,
              'aws s3 sync tests/site "s3://$TEST_SITE_BUCKET/" --delete',
              // The workers check this commit out from here.
              'git archive --format=zip -o /tmp/source.zip HEAD 2>/dev/null || (zip -qr /tmp/source.zip . -x "node_modules/*" "dist/*")',
              'aws s3 cp /tmp/source.zip "s3://$UIGATE_ARTIFACTS_BUCKET/source/$UIGATE_COMMIT.zip"',
              // The shell opens the redirect's file before uigate starts: the folder must exist.
              'mkdir -p reports',
              'node bin/uigate.js run --executor codebuild --executor lambda --base-url "$TEST_SITE_URL" --no-serve --junit reports/junit.xml --export reports/run.env --json > reports/summary.json',
              'set -a && . reports/run.env && set +a',
            ],
          },
        },
        reports: {
          [props.reportGroup.reportGroupArn]: {
            files: ['junit.xml'],
            'base-directory': 'reports',
            'file-format': 'JUNITXML',
          },
        },
      }),
    });
    grantTesting(orchestrator, props);
    return orchestrator;
  }

  /** Production: pre-flight, promote the approved artifact, bake it, roll back on alarm. */
  private deployProject(props: ReleasePipelineProps): PipelineProject {
    const productionUrl = `https://${props.productionSite.distribution.distributionDomainName}`;
    const bake = `${Math.round((props.bake ?? Duration.minutes(10)).toSeconds())}s`;
    const deploy = new PipelineProject(this, 'Deploy', {
      description: 'uigate: pre-flight, promote the approved artifact to production, bake it, roll back on alarm',
      environment: {
        buildImage: NODE_IMAGE,
        computeType: ComputeType.MEDIUM,
        environmentVariables: {
          PRODUCTION_BUCKET: { value: props.productionSite.bucket.bucketName },
          PRODUCTION_URL: { value: productionUrl },
          SMOKE_ALARM: { value: props.smokeAlarm.alarmName },
          [ENV.store]: { value: 'dynamodb' },
          [ENV.table]: { value: props.table.tableName },
        },
      },
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(60),
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: {
            ...CODEBUILD_RUNTIME,
            commands: ['npm ci --no-audit --no-fund', 'npx playwright install --with-deps chromium'],
          },
          build: {
            commands: [
              // A blind watcher blocks promotion (the first release has nothing live to pre-check).
              'if aws s3 ls "s3://$PRODUCTION_BUCKET/releases/live.json"; then node bin/uigate.js verify --preflight --release "$UIGATE_RUN_ID" --alarm "$SMOKE_ALARM" --smoke-url "$PRODUCTION_URL"; fi',
              // Only the approved run, only the artifact it was approved for; kept under releases/<run>/.
              'node bin/uigate.js promote --release "$UIGATE_RUN_ID" --target "s3://$PRODUCTION_BUCKET" --from tests/site',
              `node bin/uigate.js verify --release "$UIGATE_RUN_ID" --target "s3://$PRODUCTION_BUCKET" --alarm "$SMOKE_ALARM" --bake ${bake} --poll 30s --smoke-url "$PRODUCTION_URL"`,
            ],
          },
        },
      }),
    });
    grantDeploying(deploy, props);
    return deploy;
  }
}

function sourceAction(props: ReleasePipelineProps, output: Artifact): CodeStarConnectionsSourceAction {
  return new CodeStarConnectionsSourceAction({
    actionName: 'GitHub',
    connectionArn: props.source.connectionArn,
    owner: props.source.owner,
    repo: props.source.repo,
    branch: props.source.branch ?? 'main',
    output,
    codeBuildCloneOutput: true,
  });
}

function approvalStage(props: ReleasePipelineProps, tests: CodeBuildAction): StageProps {
  const runUrl = tests.variable(ENV.runUrl);
  return {
    stageName: 'Approval',
    // Not entered unless the run meets the gate policy: numeric rules, each explained in the job result.
    beforeEntry: {
      conditions: [
        {
          result: Result.FAIL,
          rules: [
            new Rule({
              name: 'UigateGatePolicy',
              provider: 'LambdaInvoke',
              version: '1',
              configuration: {
                FunctionName: props.gateFunction.functionName,
                UserParameters: JSON.stringify({ pipelineExecutionId: '#{codepipeline.PipelineExecutionId}' }),
              },
            }),
          ],
        },
      ],
    },
    actions: [
      new ManualApprovalAction({
        actionName: 'Approve',
        notificationTopic: props.approvals,
        additionalInformation:
          `uigate run ${tests.variable(ENV.runId)}: ${tests.variable(ENV.summary)}. ` +
          `Commit ${tests.variable(ENV.commit)} on ${tests.variable(ENV.branch)}, execution #{codepipeline.PipelineExecutionId}. ` +
          'Approve on the run page or with `uigate approve` (the approval is bound to this commit and artifact).',
        externalEntityLink: runUrl,
      }),
    ],
  };
}

function productionStage(
  props: ReleasePipelineProps,
  deploy: PipelineProject,
  built: Artifact,
  tests: CodeBuildAction,
): StageProps {
  return {
    stageName: 'Production',
    actions: [
      new CodeBuildAction({
        actionName: 'Deploy',
        project: deploy,
        input: built,
        environmentVariables: { [ENV.runId]: { value: tests.variable(ENV.runId) } },
      }),
    ],
  };
}

/** What `uigate run` in the Test stage touches: the store, artifacts, the sites it deploys, the executors. */
function grantTesting(orchestrator: PipelineProject, props: ReleasePipelineProps): void {
  grantRunRecording(props.table, orchestrator);
  props.artifacts.grantReadWrite(orchestrator);
  props.testSite.bucket.grantReadWrite(orchestrator);
  props.testSite.bucket.grantDelete(orchestrator);
  props.executorFunction.grantInvoke(orchestrator);
  props.reportGroup.grantWrite(orchestrator);
  props.approvals.grantPublish(orchestrator);
  // CodeBuild has no grant for starting another project's builds: this statement is that grant, scoped to the worker.
  orchestrator.addToRolePolicy(
    new PolicyStatement({
      actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild'],
      resources: [props.worker.projectArn],
    }),
  );
}

/** What Production touches: the production site, the store, the smoke alarm and its metrics. */
function grantDeploying(deploy: PipelineProject, props: ReleasePipelineProps): void {
  props.productionSite.bucket.grantReadWrite(deploy);
  props.productionSite.bucket.grantDelete(deploy);
  props.table.grantReadWriteData(deploy);
  // The bake reads the alarms it watches and publishes the smoke metrics they watch.
  deploy.addToRolePolicy(
    new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [props.smokeAlarm.alarmArn] }),
  );
  deploy.addToRolePolicy(
    new PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'uigate' } },
    }),
  );
  deploy.addToRolePolicy(new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
  nag.NagSuppressions.addResourceSuppressions(
    deploy,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'cloudwatch:PutMetricData and GetMetricData support no resource-level permissions; PutMetricData is limited to the uigate namespace by condition.',
        appliesTo: ['Resource::*'],
      },
    ],
    true,
  );
}
