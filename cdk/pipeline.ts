// The release pipeline around a team's app, CodePipeline V2: Source → Build → Test → Approval →
// Production, with the source, the build, the test environment, production and the alarms the
// team supplies. Test deploys the build to the test environment, then `uigate run` fans the suite
// out to CodeBuild and Lambda and fails the stage on any failed unit. The Approval stage is entered
// only if the gate policy passes (a beforeEntry LambdaInvoke rule); its manual approval carries the
// run's commit, branch, counts and link, and Production (BakeAndRollback) deploys exactly the
// artifact approved, bakes it and rolls back on alarm.
import { CfnOutput, Duration } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import {
  Artifact,
  type IAction,
  Pipeline,
  ProviderType,
  Result,
  Rule,
  type StageProps,
  type TriggerProps,
} from 'aws-cdk-lib/aws-codepipeline';
import { CodeBuildAction, ManualApprovalAction } from 'aws-cdk-lib/aws-codepipeline-actions';
import { Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Alarm, IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { BakeAndRollback } from './bake-and-rollback.ts';
import type { SiteDeployment } from './deployment.ts';
import { CODEBUILD_RUNTIME } from './node-runtime.ts';
import {
  DEFAULT_BUILD,
  grantOrchestrator,
  junitReports,
  NODE_IMAGE,
  orchestratorVariables,
  pipelineBasics,
  runCommand,
  sourceForWorkers,
  testVariables,
  type PipelineExecutor,
} from './pipeline-parts.ts';
import { acceptFindings, GRANT_WILDCARDS } from './nag.ts';
import type { PipelineSource } from './pipeline-source.ts';
import { checkNonEmpty } from './validate.ts';
import type { Uigate } from './uigate.ts';
import { PipelineWatcher } from './pipeline-watcher.ts';
import { ENV } from '../runner/core/env.ts';
import { EXIT } from '../runner/core/errors.ts';

export type { PipelineExecutor } from './pipeline-parts.ts';

/** What the Test stage hands on as #{UiTests.<name>}: the approval's text and link, the Production stage's run and digest. */
const EXPORTED = [ENV.runId, ENV.summary, ENV.approvalInfo, ENV.commit, ENV.branch, ENV.runUrl, ENV.artifactDigest];
export interface UigatePipelineProps {
  /** The results store, executors, status site and gate the pipeline uses. */
  readonly uigate: Uigate;
  /** Where the code comes from: PipelineSource.connection(...) or PipelineSource.codeCommit(...). */
  readonly source: PipelineSource;
  /**
   * Commands that install and build the app; the whole folder (without node_modules) goes on to
   * the Test and Production stages. @default ['npm ci --no-audit --no-fund', 'npm run build --if-present']
   */
  readonly buildCommands?: string[];
  /** How the build reaches the test environment the suite runs against. */
  readonly testEnvironment: SiteDeployment;
  /**
   * Production, which uigate promotes and rolls back: an S3 + CloudFront site
   * (SiteDeployment.s3Site) or a Lambda function behind an alias (SiteDeployment.lambdaAlias).
   */
  readonly production: SiteDeployment;
  /** More alarms the bake watches (errors, latency); any in ALARM rolls back. @default only uigate's smoke alarm */
  readonly alarms?: IAlarm[];
  /** How long production is baked after promotion, 1 minute to 8 hours. @default Duration.minutes(10) */
  readonly bake?: Duration;
  /** Where the Test stage runs the suite. @default ['codebuild', 'lambda'] */
  readonly executors?: PipelineExecutor[];
  /** How a pipeline step runs uigate in the app's folder. @default 'npx --no-install uigate' */
  readonly uigateCommand?: string;
  /**
   * Remind the team's topic of an approval that has waited this long, and again each time as long
   * (looked at every 5 minutes). @default no reminders
   */
  readonly approvalReminder?: Duration;
  /**
   * Start the pipeline only when a tag matching one of these (glob patterns, e.g. 'release-*') is
   * pushed, not on every push: a mono-repo's component pipelines test each push, and this one
   * promotes a release. CodeConnections sources only (CodePipeline's tag triggers).
   * @default every push to the source's branch
   */
  readonly releaseTags?: string[];
}

/** What a stage's project is made from. */
interface Parts {
  readonly props: UigatePipelineProps;
  readonly uigate: Uigate;
  readonly cli: string;
  /** The production folder's digest, as the shell computes it: what an approval is bound to. */
  readonly digest: string;
}

export class UigatePipeline extends Construct {
  readonly pipeline: Pipeline;
  /** The Test stage's project: `uigate run`. */
  readonly orchestrator: PipelineProject;
  /** The Production stage: pre-flight, promote, bake, roll back. */
  readonly release: BakeAndRollback;
  /** The Production stage's project (`release.project`). */
  readonly deploy: PipelineProject;
  /** Fires when the @smoke tests fail against production during a bake (`uigate verify` publishes SmokeFailures). */
  readonly smokeAlarm: Alarm;
  /** Where each release of a production deployed by commands is kept for a rollback. */
  readonly releases?: IBucket;
  /**
   * Denies skipping the gate: OverrideStageCondition lets its caller enter the Approval stage past
   * the policy's rule. Attach it to every role and group that may act on the pipeline (or put the
   * same statement in an SCP); an IAM deny wins over any allow.
   */
  readonly gateOverrideDenial: ManagedPolicy;
  /** Tells the topic each stage transition of every execution, and reminds of waiting approvals. */
  readonly watcher: PipelineWatcher;

  constructor(scope: Construct, id: string, props: UigatePipelineProps) {
    super(scope, id);
    checkProps(props);
    const cli = props.uigateCommand ?? 'npx --no-install uigate';
    this.release = new BakeAndRollback(this, 'Deploy', {
      uigate: props.uigate,
      production: props.production,
      alarms: props.alarms,
      bake: props.bake,
      uigateCommand: cli,
    });
    ({ project: this.deploy, smokeAlarm: this.smokeAlarm, releases: this.releases } = this.release);
    // The approval is bound to the folder production gets.
    const parts: Parts = { props, uigate: props.uigate, cli, digest: `"$(${cli} digest ${this.release.directory})"` };
    const source = new Artifact('Source');
    const built = new Artifact('Built');
    const checkout = props.source.bind(source);
    this.orchestrator = this.testProject(parts);
    const build = this.buildProject(parts);
    checkout.grantClone?.(build);
    const tests = new CodeBuildAction({
      actionName: 'UiTests',
      project: this.orchestrator,
      input: built,
      variablesNamespace: 'UiTests',
      environmentVariables: testVariables(checkout, props.uigate.pipelineName),
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: props.uigate.pipelineName,
      ...pipelineBasics(props.uigate),
      triggers: releaseTrigger(props.releaseTags, checkout.action),
      stages: [
        { stageName: 'Source', actions: [checkout.action] },
        {
          stageName: 'Build',
          actions: [
            new CodeBuildAction({
              actionName: 'Build',
              project: build,
              input: source,
              outputs: [built],
            }),
          ],
        },
        { stageName: 'Test', actions: [tests] },
        approvalStage(parts, tests),
        { stageName: 'Production', actions: [this.release.action(built, tests.variable(ENV.runId))] },
      ],
    });
    props.uigate.gate.gateFunction.grantInvoke(this.pipeline.role); // CodePipeline runs the rule as the pipeline
    this.watcher = this.watch(props);
    productionOutputs(this, props.production);
    this.gateOverrideDenial = denyGateOverride(this, this.pipeline);
    acceptFindings(this, [GRANT_WILDCARDS]);
  }

  /** Each stage transition told to the team's topic, and approvals left waiting reminded of. */
  private watch(props: UigatePipelineProps): PipelineWatcher {
    return new PipelineWatcher(this, 'Watcher', {
      pipeline: this.pipeline,
      pipelineName: props.uigate.pipelineName,
      stages: this.pipeline.stages.map((stage) => stage.stageName),
      roles: { test: 'Test', deploy: 'Production', approval: 'Approval', approvalAction: 'Approve' },
      table: props.uigate.results.table,
      topic: props.uigate.approvals,
      code: props.uigate.code,
      statusUrl: props.uigate.statusUrl,
      approvalReminder: props.approvalReminder,
    });
  }

  /** Build: the team's own commands. */
  private buildProject({ props, uigate }: Parts): PipelineProject {
    return new PipelineProject(this, 'Build', {
      description: 'uigate: builds the app for the Test and Production stages',
      environment: { buildImage: NODE_IMAGE, computeType: ComputeType.MEDIUM },
      encryptionKey: uigate.key,
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { ...CODEBUILD_RUNTIME },
          build: { commands: props.buildCommands ?? DEFAULT_BUILD },
        },
        artifacts: { 'base-directory': '.', files: ['**/*'], 'exclude-paths': ['node_modules/**/*'] },
      }),
    });
  }

  /** Test: the test environment, the commit's source for the workers, and `uigate run` fanning out. */
  private testProject({ props, uigate, cli, digest }: Parts): PipelineProject {
    const executors = props.executors ?? ['codebuild', 'lambda'];
    const orchestrator = new PipelineProject(this, 'Orchestrator', {
      description: 'uigate run: fans the suite out to CodeBuild and Lambda; the gate decides on a completed run',
      environment: {
        buildImage: NODE_IMAGE,
        computeType: ComputeType.SMALL,
        environmentVariables: orchestratorVariables(uigate, props.testEnvironment),
      },
      encryptionKey: uigate.key,
      timeout: Duration.minutes(90),
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        // Carried into the approval message and the Production stage as #{UiTests.<name>}.
        env: { 'exported-variables': EXPORTED },
        phases: {
          install: { ...CODEBUILD_RUNTIME, commands: ['npm ci --no-audit --no-fund'] },
          build: {
            commands: [
              // Fail closed: `export X="$(…)"` exits 0 when the digest fails; an assignment exits as
              // its command substitution did, so the build stops here.
              `${ENV.artifactDigest}=${digest} && export ${ENV.artifactDigest}`,
              ...props.testEnvironment.commands(),
              ...sourceForWorkers(),
              // The shell opens the redirect's file before uigate starts: the folder must exist.
              'mkdir -p reports',
              // Exit 1 is a completed run with failed tests: the gate decides on it (the Approval
              // stage's rule), so the stage hands it on. Bad input (2), units that could not run (3)
              // and a cancelled run (130) fail the stage here.
              `${runCommand(cli, executors)} || [ $? -eq ${EXIT.testsFailed} ]`,
              'set -a && . reports/run.env && set +a',
            ],
          },
        },
        reports: junitReports(uigate),
      }),
    });
    grantOrchestrator(orchestrator, uigate, props.testEnvironment);
    return orchestrator;
  }
}

/** What `uigate doctor --aws --site … --site-url …` drills a rollback on (a site only). */
function productionOutputs(scope: Construct, production: SiteDeployment): void {
  if (production.site)
    new CfnOutput(scope, 'ProductionSiteBucket', { value: `s3://${production.site.bucket.bucketName}` });
  new CfnOutput(scope, 'ProductionSiteUrl', { value: production.url });
}

/** The managed policy that denies skipping the pipeline's gate, and its ARN as an output. */
function denyGateOverride(scope: Construct, pipeline: Pipeline): ManagedPolicy {
  const policy = new ManagedPolicy(scope, 'DenyGateOverride', {
    description: `uigate: nobody skips the gate of ${pipeline.pipelineName}`,
    statements: [
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['codepipeline:OverrideStageCondition'],
        // The pipeline and its stages: whichever of the two AWS authorizes the call on.
        resources: [pipeline.pipelineArn, `${pipeline.pipelineArn}/*`],
      }),
    ],
  });
  new CfnOutput(scope, 'DenyGateOverridePolicy', { value: policy.managedPolicyArn });
  return policy;
}

/** A trigger on pushed release tags, when the pipeline promotes tags rather than every push. */
function releaseTrigger(tags: string[] | undefined, sourceAction: IAction): TriggerProps[] | undefined {
  if (!tags) return undefined;
  checkNonEmpty('releaseTags', tags, "['release-*']");
  if (sourceAction.actionProperties.provider !== ProviderType.CODE_STAR_SOURCE_CONNECTION)
    throw new Error(
      'uigate: releaseTags needs PipelineSource.connection(...): CodePipeline starts on pushed tags only for CodeConnections sources',
    );
  return [
    {
      providerType: ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: { sourceAction, pushFilter: [{ tagsIncludes: tags }] },
    },
  ];
}

/** The pipeline's own props (production and the bake are BakeAndRollback's). */
function checkProps(props: UigatePipelineProps): void {
  if (props.executors) checkNonEmpty('executors', props.executors, "['codebuild', 'lambda']");
  if (props.buildCommands) checkNonEmpty('buildCommands', props.buildCommands, "['npm ci', 'npm run build']");
}

function approvalStage({ uigate }: Parts, tests: CodeBuildAction): StageProps {
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
                FunctionName: uigate.gate.gateFunction.functionName,
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
        notificationTopic: uigate.approvals,
        // Written whole by `uigate run --export` within the 500 characters CodePipeline takes:
        // composed here of variables, a long branch name could push it past them.
        additionalInformation: tests.variable(ENV.approvalInfo),
        externalEntityLink: runUrl,
      }),
    ],
  };
}
