// The gate in AWS: the policy function behind the Approval stage's beforeEntry condition, and the
// approval function — the status app with decisions on, behind its own AWS_IAM function URL, so the
// caller's IAM identity is the approver and only this function may answer the pipeline's approval.
// The same function hands IAM callers sign-in links to the status site (`uigate open`).
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type Code,
  FunctionUrlAuthType,
  Function as LambdaFunction,
  type FunctionProps,
  type FunctionUrl,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LAMBDA_RUNTIME } from './node-runtime.ts';
import { acceptFindings, FUNCTION_FINDINGS } from './nag.ts';
import { ENV } from '../runner/core/env.ts';

export interface ApprovalGateProps {
  readonly table: ITableV2;
  /** The same package as the executor; handlers `gate.handler` and `status.handler`. */
  readonly code: Code;
  /** Approval requests and decisions are published here. */
  readonly topic: ITopic;
  /** Name of the release pipeline whose manual approval the function answers. */
  readonly pipelineName: string;
  /** Stage of the manual approval. @default 'Approval' */
  readonly approvalStage?: string;
  /** Action of the manual approval. @default 'Approve' */
  readonly approvalAction?: string;
  /** uigate.config.ts's `gate` and `approval`, as the functions' UIGATE_CONFIG. */
  readonly config: { gate?: object; approval?: { approvers: string[]; [key: string]: unknown } };
  /** Base URL of the status site, for links in messages and sign-in links. */
  readonly statusUrl: string;
  /** Signs the status site's sign-in links (status-site/session.ts); this function hands them out. */
  readonly sessionSecret: ISecret;
  /**
   * The runs' artifacts, read (never written) by the approval function: a screenshot change is
   * fingerprinted from its stored images on the approval side (runner/gate/visual-review.ts).
   */
  readonly artifacts?: IBucket;
}

type FunctionCommon = Pick<FunctionProps, 'runtime' | 'architecture' | 'code' | 'memorySize' | 'timeout'>;

export class ApprovalGate extends Construct {
  readonly gateFunction: LambdaFunction;
  readonly approvalFunction: LambdaFunction;
  readonly approvalUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: ApprovalGateProps) {
    super(scope, id);
    const stage = props.approvalStage ?? 'Approval';
    const action = props.approvalAction ?? 'Approve';
    const config = JSON.stringify({
      gate: props.config.gate ?? {},
      approval: { approvers: [], ...props.config.approval, pipeline: { name: props.pipelineName, stage, action } },
      notify: { snsTopicArn: props.topic.topicArn, statusUrl: props.statusUrl },
    });
    const environment = { [ENV.store]: 'dynamodb', [ENV.table]: props.table.tableName, [ENV.config]: config };
    const common = {
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.X86_64,
      code: props.code,
      memorySize: 512,
      timeout: Duration.seconds(30),
    };

    this.gateFunction = this.policyFunction(props, common, environment);
    this.approvalFunction = this.approvalsFunction(props, common, environment, stage, action);
    this.approvalUrl = this.approvalFunction.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    acceptFindings(this, FUNCTION_FINDINGS);
    new CfnOutput(this, 'ApprovalUrl', {
      value: this.approvalUrl.url,
      description:
        'approval.url in uigate.config.ts (or UIGATE_APPROVAL_URL) for `uigate approve` and `uigate open`; approvers and readers need lambda:InvokeFunctionUrl and lambda:InvokeFunction on it',
    });
  }

  /** The gate policy, as the Approval stage's beforeEntry condition: it records the decision and opens the request. */
  private policyFunction(
    props: ApprovalGateProps,
    common: FunctionCommon,
    environment: Record<string, string>,
  ): LambdaFunction {
    const gateFunction = new LambdaFunction(this, 'Policy', {
      ...common,
      description: 'uigate: the gate policy, as the Approval stage’s beforeEntry condition',
      handler: 'gate.handler',
      environment,
      // CodePipeline's actions invoke Lambda asynchronously (its docs on Lambda actions; the
      // LambdaInvoke rule's are silent), and Lambda retries a failed asynchronous invocation twice:
      // a gate that failed would be judged three times, answering the job each time. Never retried;
      // a synchronous invoke ignores this, so it is safe either way.
      retryAttempts: 0,
      logGroup: new LogGroup(this, 'PolicyLogs', { retention: RetentionDays.ONE_MONTH }),
    });
    props.table.grantReadWriteData(gateFunction);
    props.topic.grantPublish(gateFunction);
    gateFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult', 'codepipeline:GetJobDetails'],
        resources: ['*'],
      }),
    );
    acceptFindings(gateFunction, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'CodePipeline job APIs (PutJobSuccessResult, PutJobFailureResult, GetJobDetails) support no resource-level permissions: "*" is the only resource AWS accepts for them.',
        appliesTo: ['Resource::*'],
      },
    ]);

    return gateFunction;
  }

  /** Decisions from IAM callers, behind its own AWS_IAM URL: the only principal that may answer the approval. */
  private approvalsFunction(
    props: ApprovalGateProps,
    common: FunctionCommon,
    environment: Record<string, string>,
    stage: string,
    action: string,
  ): LambdaFunction {
    const approvalFunction = new LambdaFunction(this, 'Approvals', {
      ...common,
      description: 'uigate: approval decisions from IAM callers (its own function URL, AWS_IAM auth)',
      handler: 'status.handler',
      environment: {
        ...environment,
        [ENV.approvals]: 'on',
        [ENV.sessionSecretArn]: props.sessionSecret.secretArn,
        ...(props.artifacts ? { [ENV.artifactsBucket]: props.artifacts.bucketName } : {}),
      },
      logGroup: new LogGroup(this, 'ApprovalLogs', { retention: RetentionDays.ONE_MONTH }),
    });
    props.table.grantReadWriteData(approvalFunction);
    props.topic.grantPublish(approvalFunction);
    props.sessionSecret.grantRead(approvalFunction);
    props.artifacts?.grantRead(approvalFunction);
    // The only principal that may answer the approval: people go through the rules, not around them.
    const pipelineArn = Stack.of(this).formatArn({ service: 'codepipeline', resource: props.pipelineName });
    approvalFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['codepipeline:GetPipelineState'], resources: [pipelineArn] }),
    );
    approvalFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['codepipeline:PutApprovalResult'],
        resources: [`${pipelineArn}/${stage}/${action}`],
      }),
    );
    return approvalFunction;
  }
}
