// uigate's AWS side in one construct: the results table, the artifacts and log buckets, the
// Lambda and CodeBuild executors, the status site and the approval gate. A release pipeline is
// composed around it with UigatePipeline; both go into a team's own stack.
import { ChatChannels, type ChatChannelsProps } from './chat-channels.ts';
import { Duration, Token } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import type { ComputeType } from 'aws-cdk-lib/aws-codebuild';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApprovalGate } from './approval-gate.ts';
import { uigateLambdaCode, uigatePlaywrightVersion, uigateStatusPage } from './installed.ts';
import { acceptFindings } from './nag.ts';
import { PrivateBucket } from './private-bucket.ts';
import { grantRunRecording } from './results-access.ts';
import { ResultsTable } from './results-table.ts';
import { StatusSite } from './status-site.ts';
import { TestExecutors } from './test-executors.ts';
import { checkRange } from './validate.ts';
import { validateConfig } from '../runner/config/config.ts';

/** uigate.config.ts's `approval`, as the gate and approval functions apply it. */
export interface UigateApprovalRules {
  /** IAM principals (ARNs, `*` allowed in the last part) who may approve. */
  readonly approvers: string[];
  /** Principals who may approve a run the gate policy failed. @default none */
  readonly overriders?: string[];
  /** Distinct approvals a release needs. @default 1 */
  readonly requiredApprovals?: number;
  /** Hours before an unanswered request expires. @default 24 */
  readonly expiresAfterHours?: number;
  /** Whether a commit's author may approve it. @default false */
  readonly authorMayApprove?: boolean;
  /** Roles whose sessions name a person (role session name = the person). @default none */
  readonly personRoles?: string[];
}

export interface UigateProps {
  /**
   * The Lambda package of the executor, the status site and the gate.
   * @default built at synth time from the uigate package this app installed (uigateLambdaCode())
   */
  readonly code?: Code;
  /** The status page, deployed with the stack (approvers see trusted code). @default the installed package's */
  readonly page?: ISource;
  /** Playwright version of the CodeBuild worker's image. @default the app's installed @playwright/test */
  readonly playwrightVersion?: string;
  /** How long screenshots, traces and test bundles are kept. @default Duration.days(30) */
  readonly artifactRetention?: Duration;
  /** Reserved concurrency of the Lambda executor, 1–1000. @default none: the account's unreserved pool */
  readonly lambdaConcurrency?: number;
  /**
   * Compute type of the CodeBuild worker: LARGE (8 vCPUs) for `executors.codebuild.workers: 4`,
   * MEDIUM (4 vCPUs) for 2. Tell uigate the same in `executors.codebuild.computeType`, for the
   * run's cost. @default ComputeType.MEDIUM
   */
  readonly workerComputeType?: ComputeType;
  /** uigate.config.ts's gate policy (rules and thresholds). @default uigate's defaults */
  readonly gate?: object;
  /** Who may approve a release. @default no approvers: every request waits for someone to be added */
  readonly approval?: UigateApprovalRules;
  /**
   * What uigate's named resources are called: the table (`<name>`), the executor function
   * (`<name>-executor`), the worker project (`<name>-worker`), the JUnit report group
   * (`<name>-junit`) and the pipeline (`<name>-release`). A second uigate in the same account and
   * region needs its own. 3–40 letters, digits and hyphens. @default 'uigate'
   */
  readonly name?: string;
  /** Name of the release pipeline whose approval the gate answers. @default `${name}-release` */
  readonly pipelineName?: string;
  /**
   * Slack and Microsoft Teams channels that get uigate's notifications (runs, approvals, releases)
   * through Amazon Q Developer in chat applications: notifications only, nothing can be run from
   * them. Authorise the workspace or tenant in its console first. @default no channel
   */
  readonly chat?: ChatChannelsProps;
}

export class Uigate extends Construct {
  readonly pipelineName: string;
  readonly results: ResultsTable;
  readonly artifacts: IBucket;
  readonly pipelineArtifacts: IBucket;
  /** Access logs of the buckets and distributions. */
  readonly logs: IBucket;
  readonly key: Key;
  readonly executors: TestExecutors;
  readonly status: StatusSite;
  readonly gate: ApprovalGate;
  /** Every notification: runs, approval requests and decisions, releases. Email and chat subscribe here. */
  readonly approvals: Topic;
  /** The chat channels subscribed to `approvals`, when `chat` names any. */
  readonly chat?: ChatChannels;
  /** Base URL of the status site (its CloudFront distribution). */
  readonly statusUrl: string;

  /** The prefix of uigate's named resources (`name` prop). */
  readonly name: string;
  /** The Lambda package every uigate function runs (executor, status site, gate, watcher). */
  readonly code: Code;

  constructor(scope: Construct, id: string, props: UigateProps = {}) {
    super(scope, id);
    validate(props);
    this.name = props.name ?? 'uigate';
    this.pipelineName = props.pipelineName ?? `${this.name}-release`;
    const code = (this.code = props.code ?? uigateLambdaCode());
    this.key = new Key(this, 'Key', {
      description: 'uigate: build projects and the approvals topic',
      enableKeyRotation: true,
    });
    ({ logs: this.logs, artifacts: this.artifacts, pipelineArtifacts: this.pipelineArtifacts } = this.buckets(props));
    this.results = new ResultsTable(this, 'Results', { tableName: this.name });
    this.executors = new TestExecutors(this, 'Executors', {
      table: this.results.table,
      artifacts: this.artifacts,
      code,
      playwrightVersion: props.playwrightVersion ?? uigatePlaywrightVersion(),
      encryptionKey: this.key,
      reservedConcurrency: props.lambdaConcurrency,
      ...(props.workerComputeType ? { workerComputeType: props.workerComputeType } : {}),
      name: this.name,
    });
    // Signs the status site's sign-in links and sessions: reading results needs an IAM identity.
    const sessionSecret = new Secret(this, 'SessionKey', {
      description: 'uigate: signs status site sign-in links and sessions (put a new random value to sign everyone out)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acceptFindings(sessionSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The session key only signs 12-hour status-site sessions; rotating it needs no rotation function: put a new random value and everyone signs in again.',
      },
    ]);
    this.status = new StatusSite(this, 'Status', {
      table: this.results.table,
      artifacts: this.artifacts,
      logs: this.logs,
      code,
      sessionSecret,
      page: props.page ?? uigateStatusPage(),
    });
    this.approvals = new Topic(this, 'Approvals', {
      displayName: 'uigate approvals',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.chat?.slack?.length || props.chat?.teams?.length)
      this.chat = new ChatChannels(this, 'Chat', { ...props.chat, topic: this.approvals, name: this.name });
    this.statusUrl = `https://${this.status.site.distribution.distributionDomainName}`;
    this.gate = new ApprovalGate(this, 'Gate', {
      table: this.results.table,
      code,
      topic: this.approvals,
      pipelineName: this.pipelineName,
      config: { gate: props.gate, approval: props.approval && { ...props.approval } },
      statusUrl: this.statusUrl,
      sessionSecret,
      artifacts: this.artifacts,
    });
  }

  /** The access-log bucket, the artifacts bucket and the pipeline's: private, encrypted, expiring. */
  private buckets(props: UigateProps) {
    const logs = new PrivateBucket(this, 'Logs', { expireAfter: Duration.days(90), cloudFrontLogs: true });
    acceptFindings(logs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' },
    ]);
    const artifacts = new PrivateBucket(this, 'Artifacts', {
      accessLogs: logs.bucket,
      presignedReads: true,
      expireAfter: props.artifactRetention ?? Duration.days(30),
    }).bucket;
    const pipelineArtifacts = new PrivateBucket(this, 'PipelineArtifacts', {
      accessLogs: logs.bucket,
      expireAfter: Duration.days(30),
    }).bucket;
    return { logs: logs.bucket, artifacts, pipelineArtifacts };
  }

  /**
   * What `uigate run` needs to run the suite on the executors and record it: runs and units in
   * the table (no votes, decisions or releases), the artifacts, the Lambda executor, the worker's
   * builds, the approvals topic.
   */
  grantRun(grantee: IGrantable): void {
    grantRunRecording(this.results.table, grantee);
    this.artifacts.grantReadWrite(grantee);
    this.executors.function.grantInvoke(grantee);
    this.executors.grantStartWorker(grantee);
    this.approvals.grantPublish(grantee);
  }

  /** Reading results: the table and the artifacts (a dashboard, `uigate serve` against AWS). */
  grantReadResults(grantee: IGrantable): void {
    this.results.table.grantReadData(grantee);
    this.artifacts.grantRead(grantee);
  }
}

function validate(props: UigateProps): void {
  if (props.lambdaConcurrency !== undefined && !Token.isUnresolved(props.lambdaConcurrency))
    checkRange('lambdaConcurrency', props.lambdaConcurrency, 1, 1000);
  // The gate and approval functions read these as uigate.config.ts: the same schema refuses them here, at synth.
  validateConfig(
    { ...(props.gate ? { gate: props.gate } : {}), ...(props.approval ? { approval: { ...props.approval } } : {}) },
    'Uigate props',
  );
  if (props.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/.test(props.name))
    throw new Error(
      `uigate: name must be 3 to 40 letters, digits and hyphens, starting with a letter or digit (it prefixes the table, function, project and pipeline names), got "${props.name}"`,
    );
  const retention = props.artifactRetention?.toDays();
  if (retention !== undefined) checkRange('artifactRetention', retention, 1, 3650, 'days');
}
