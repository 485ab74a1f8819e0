// The Production step on its own, for a pipeline uigate did not build: a CodeBuild project that
// runs pre-flight, promotes the approved artifact, bakes it with `uigate verify` (smoke tests
// publishing to CloudWatch, every alarm watched) and rolls back on alarm — the one rollback
// mechanism: a CodePipeline onSuccess ROLLBACK would re-run the whole Deploy action while the
// alarm is in ALARM, racing uigate's own rollback (undocumented either way; one mechanism is safe).
// UigatePipeline composes it; `action()` puts it into any CodePipeline.
import { Duration, Fn, Token } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxBuildImage, PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import type { Artifact } from 'aws-cdk-lib/aws-codepipeline';
import { CodeBuildAction } from 'aws-cdk-lib/aws-codepipeline-actions';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, Policy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SiteDeployment } from './deployment.ts';
import { CODEBUILD_RUNTIME } from './node-runtime.ts';
import { acceptFindings, GRANT_WILDCARDS } from './nag.ts';
import { PrivateBucket } from './private-bucket.ts';
import type { Uigate } from './uigate.ts';
import { checkRange } from './validate.ts';
import { ENV } from '../runner/core/env.ts';

export interface BakeAndRollbackProps {
  /** The results store the approved run and its releases are in. */
  readonly uigate: Uigate;
  /**
   * Production, which uigate promotes and rolls back: an S3 + CloudFront site
   * (SiteDeployment.s3Site), a Lambda function behind an alias (SiteDeployment.lambdaAlias) or the
   * team's commands with the folder that is the release (SiteDeployment.commands with `directory`).
   */
  readonly production: SiteDeployment;
  /** More alarms the bake watches (errors, latency); any in ALARM rolls back. @default only uigate's smoke alarm */
  readonly alarms?: IAlarm[];
  /** How long production is baked after promotion, 1 minute to 8 hours. @default Duration.minutes(10) */
  readonly bake?: Duration;
  /** How the step runs uigate in the app's folder. @default 'npx --no-install uigate' */
  readonly uigateCommand?: string;
}

/** Production as uigate promotes it: the build's folder and the production target it goes to. */
type Production = Required<Pick<SiteDeployment, 'directory' | 'releaseTarget'>> & SiteDeployment;

export class BakeAndRollback extends Construct {
  /** Pre-flight, promote, bake, roll back: one CodeBuild project. */
  readonly project: PipelineProject;
  /** Fires when the @smoke tests fail against production during a bake (`uigate verify` publishes SmokeFailures). */
  readonly smokeAlarm: Alarm;
  /** Where each release of a production deployed by commands is kept for a rollback. */
  readonly releases?: IBucket;
  /** The build's folder that is the release: what an approval must be bound to (`uigate digest <directory>`). */
  readonly directory: string;

  constructor(scope: Construct, id: string, props: BakeAndRollbackProps) {
    super(scope, id);
    const production = checkProduction(props);
    this.directory = production.directory;
    this.smokeAlarm = smokeAlarm(this, production.url);
    const alarms = [this.smokeAlarm, ...(props.alarms ?? [])];
    if (production.deployCommand)
      this.releases = new PrivateBucket(this, 'Releases', { accessLogs: props.uigate.logs }).bucket;
    // 'Default': the project is this construct's own resource, named as the step is.
    this.project = new PipelineProject(this, 'Default', {
      description: 'uigate: pre-flight, promote the approved artifact to production, bake it, roll back on alarm',
      environment: {
        buildImage: LinuxBuildImage.STANDARD_7_0,
        computeType: ComputeType.MEDIUM,
        environmentVariables: this.environment(props, production, alarms),
      },
      encryptionKey: props.uigate.key,
      timeout: Duration.minutes(60).plus(props.bake ?? Duration.minutes(10)),
      buildSpec: this.buildSpec(props, production, alarms),
    });
    grantDeploying(this.project, props.uigate, production, alarms);
    this.releases?.grantReadWrite(this.project);
    if (production.site) keepReleasesPrivate(production.site.bucket);
    acceptFindings(this, [GRANT_WILDCARDS]);
  }

  /** The step as a pipeline action on the built artifact, for the approved run (`runId`, a variable). */
  action(input: Artifact, runId: string, actionName = 'Deploy'): CodeBuildAction {
    return new CodeBuildAction({
      actionName,
      project: this.project,
      input,
      environmentVariables: { [ENV.runId]: { value: runId } },
    });
  }

  /**
   * What the commands read. A production deployed by commands passes them here, as written, never
   * through a second round of shell quoting; its releases go to a bucket of their own, which never
   * expires them (the artifacts bucket does, and a rollback may go back further).
   */
  private environment(props: BakeAndRollbackProps, production: Production, alarms: readonly IAlarm[]) {
    return {
      PRODUCTION_TARGET: { value: production.releaseTarget },
      PRODUCTION_URL: { value: production.url },
      ...(production.distribution
        ? { PRODUCTION_DISTRIBUTION: { value: production.distribution.distributionId } }
        : {}),
      ...(production.deployCommand && this.releases
        ? {
            PRODUCTION_DEPLOY_COMMAND: { value: production.deployCommand },
            PRODUCTION_RELEASES: { value: this.releases.bucketName },
          }
        : {}),
      ...Object.fromEntries(alarms.map((alarm, i) => [`UIGATE_ALARM_${i}`, { value: alarm.alarmName }])),
      [ENV.store]: { value: 'dynamodb' },
      [ENV.table]: { value: props.uigate.results.table.tableName },
      // Promoted, verified, rolled back, rollback failed, pre-flight refused: told on the topic the
      // team's email and chat channels subscribe to, with the run page's link.
      [ENV.snsTopic]: { value: props.uigate.approvals.topicArn },
      [ENV.statusUrl]: { value: props.uigate.statusUrl },
    };
  }

  private buildSpec(props: BakeAndRollbackProps, production: Production, alarms: readonly IAlarm[]): BuildSpec {
    const cli = props.uigateCommand ?? 'npx --no-install uigate';
    const bake = `${Math.round((props.bake ?? Duration.minutes(10)).toSeconds())}s`;
    const watch = alarms.map((_, i) => `--alarm "$UIGATE_ALARM_${i}"`).join(' ');
    const target = [
      '--target "$PRODUCTION_TARGET"',
      ...(this.releases
        ? ['--deploy-command "$PRODUCTION_DEPLOY_COMMAND"', '--keep-releases "s3://$PRODUCTION_RELEASES"']
        : []),
      // Promotions and the bake's rollbacks alike wait until the edges dropped the entry paths.
      ...(production.distribution ? ['--invalidate "$PRODUCTION_DISTRIBUTION"'] : []),
    ].join(' ');
    return BuildSpec.fromObject({
      version: '0.2',
      phases: {
        install: {
          ...CODEBUILD_RUNTIME,
          commands: ['npm ci --no-audit --no-fund', 'npx playwright install --with-deps chromium'],
        },
        build: {
          commands: [
            // A blind watcher blocks promotion (before uigate's first release there is nothing to pre-check).
            `${cli} verify --preflight --release "$UIGATE_RUN_ID" ${target} ${watch} --smoke-url "$PRODUCTION_URL"`,
            // Only the approved run, only the artifact it was approved for: kept under releases/<run>/ (a site or a command's), published as a version (a function).
            `${cli} promote --release "$UIGATE_RUN_ID" ${target} --from ${production.directory}`,
            `${cli} verify --release "$UIGATE_RUN_ID" ${target} ${watch} --bake ${bake} --poll 30s --smoke-url "$PRODUCTION_URL"`,
          ],
        },
      },
    });
  }
}

function checkProduction(props: BakeAndRollbackProps): Production {
  const production = props.production;
  if (!production.directory || !production.releaseTarget)
    throw new Error(
      'uigate: production must be SiteDeployment.s3Site(site, directory), SiteDeployment.lambdaAlias({ alias, directory, url }) or SiteDeployment.commands({ commands, url, directory }): uigate keeps the directory of each release to roll back to; commands without one it could not roll back',
    );
  if (props.bake && !props.bake.isUnresolved()) checkRange('bake', props.bake.toSeconds(), 60, 8 * 3600, 'seconds');
  return production as Production;
}

/**
 * The host `uigate verify` names its metrics by (`new URL(url).host`). A URL known only at deploy
 * time (a function URL's attribute, `https://<id>.lambda-url.<region>.on.aws/`) is split there.
 */
function hostOf(url: string): string {
  if (!Token.isUnresolved(url)) return new URL(url).host;
  if (url.startsWith('https://') && !url.slice('https://'.length).includes('/')) return url.slice('https://'.length);
  return Fn.select(2, Fn.split('/', url));
}

/** The alarm on the production smoke tests (namespace uigate, SmokeFailures, dimension Site). */
function smokeAlarm(scope: Construct, productionUrl: string): Alarm {
  return new Alarm(scope, 'SmokeAlarm', {
    alarmDescription: 'uigate: @smoke UI tests failing against production (uigate verify publishes SmokeFailures)',
    metric: new Metric({
      namespace: 'uigate',
      metricName: 'SmokeFailures',
      dimensionsMap: { Site: hostOf(productionUrl) },
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

/**
 * A site in S3 keeps every release under releases/<id>/ for rollbacks (runner/verify/s3-site-target.ts),
 * and the live one at the root: CloudFront may read the root only, so a rolled-back release is
 * not served at /releases/<id>/ to anyone. A deny wins over the origin access control's allow.
 */
function keepReleasesPrivate(bucket: IBucket): void {
  bucket.addToResourcePolicy(
    new PolicyStatement({
      effect: Effect.DENY,
      principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('releases/*')],
    }),
  );
}

/** What Production touches: production (its site, its function or its commands' needs), the store, the alarms it watches and their metrics. */
function grantDeploying(
  deploy: PipelineProject,
  uigate: Uigate,
  production: Production,
  alarms: readonly IAlarm[],
): void {
  production.grant(deploy);
  uigate.approvals.grantPublish(deploy);
  // Its own invalidations only: CreateInvalidation and GetInvalidation take the distribution's ARN.
  production.distribution?.grant(deploy, 'cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation');
  uigate.results.table.grantReadWriteData(deploy);
  // The bake reads the alarms it watches and publishes the smoke metrics they watch.
  deploy.addToRolePolicy(
    new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map((alarm) => alarm.alarmArn) }),
  );
  // The two calls AWS offers no resource-level permission for, in a policy of their own: the
  // "*" they need is accepted there only, never on the role's default policy, where a team's own
  // grant (SiteDeployment.commands' `grant`) lands and must keep every finding of its own.
  const metrics = new Policy(deploy, 'Metrics', {
    statements: [
      new PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'uigate' } },
      }),
      new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    ],
  });
  metrics.attachToRole(deploy.role!);
  acceptFindings(metrics, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'cloudwatch:PutMetricData and GetMetricData support no resource-level permissions; PutMetricData is limited to the uigate namespace by condition.',
      appliesTo: ['Resource::*'],
    },
  ]);
}
