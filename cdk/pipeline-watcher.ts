// The pipeline watcher in AWS: a function on an EventBridge rule for the pipeline's execution and
// stage state changes, telling the team's topic each transition (runner/watch), and, when asked
// for, a schedule that reminds of an approval left waiting. It reads the results (runs, units,
// history) and writes only its own PIPELINE# items; it reads the pipeline, nothing else of it.
//
// AWS: CodePipeline emits these events "on a guaranteed, at-least-once basis" (CodePipeline user
// guide, "Monitoring CodePipeline events"); EventBridge retries delivering to a target for up to 24
// hours and 185 times by default (EventBridge user guide, "Event retry policy and using dead-letter
// queues"), and Lambda retries an asynchronous invocation that failed twice (Lambda developer
// guide, "Asynchronous invocation"). The watcher is written for all three: duplicates and any order.
import { Duration, Stack } from 'aws-cdk-lib';
import type { IPipeline } from 'aws-cdk-lib/aws-codepipeline';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../runner/core/env.ts';
import { PIPELINE_PARTITIONS } from '../runner/store/pipeline-log.ts';
import { transitionsPattern } from '../runner/watch/pipeline-event.ts';
import type { WatchFunctionSettings } from '../runner/watch/watch-function.ts';
import { acceptFindings, FUNCTION_FINDINGS } from './nag.ts';
import { LAMBDA_RUNTIME } from './node-runtime.ts';

export interface PipelineWatcherProps {
  readonly pipeline: IPipeline;
  /** The pipeline's name as written (the L2's pipelineName is a token; the function's settings want the name). */
  readonly pipelineName: string;
  /** The stages, in the pipeline's order. */
  readonly stages: string[];
  /** Which stage runs the tests, which deploys, which asks for the approval (and its action). */
  readonly roles: { test: string; deploy: string; approval: string; approvalAction: string };
  readonly table: ITableV2;
  readonly topic: ITopic;
  /** The same package as the other functions; handler `watch.handler`. */
  readonly code: Code;
  readonly statusUrl: string;
  /**
   * Remind of an approval that has waited this long, and again each time as long (looked at every
   * 5 minutes). @default no reminders
   */
  readonly approvalReminder?: Duration;
}

/**
 * How often the schedule looks at executions gone quiet (an event lost for good) and at a waiting
 * approval: a fallback message or a reminder is at most this late.
 */
const LOOK_EVERY = Duration.minutes(5);

export class PipelineWatcher extends Construct {
  readonly function: LambdaFunction;
  readonly rule: Rule;
  /** The schedule: executions gone quiet, and, with `approvalReminder`, waiting approvals. */
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: PipelineWatcherProps) {
    super(scope, id);
    const settings: WatchFunctionSettings = {
      pipeline: props.pipelineName,
      stages: props.stages,
      testStage: props.roles.test,
      deployStage: props.roles.deploy,
      approvalStage: props.roles.approval,
      ...(props.approvalReminder
        ? {
            reminder: {
              stage: props.roles.approval,
              action: props.roles.approvalAction,
              everyMinutes: props.approvalReminder.toMinutes(),
            },
          }
        : {}),
    };
    this.function = new LambdaFunction(this, 'Function', {
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.X86_64,
      code: props.code,
      handler: 'watch.handler',
      description:
        "uigate: tells the team each transition of the pipeline's executions, and reminds of waiting approvals",
      memorySize: 256,
      // Under the watcher's 60-second lease on an execution (runner/watch/watcher.ts).
      timeout: Duration.seconds(30),
      environment: {
        [ENV.store]: 'dynamodb',
        [ENV.table]: props.table.tableName,
        [ENV.snsTopic]: props.topic.topicArn,
        [ENV.statusUrl]: props.statusUrl,
        [ENV.watch]: JSON.stringify(settings),
      },
      logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
    });
    this.grant(props);
    this.rule = new Rule(this, 'Transitions', {
      description: `uigate: ${props.pipelineName}'s execution and stage state changes, to the watcher`,
      eventPattern: transitionsPattern(props.pipeline.pipelineArn),
      targets: [new LambdaTarget(this.function, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: `uigate: looks at ${props.pipelineName}'s quiet executions${props.approvalReminder ? ' and waiting approval' : ''}`,
      schedule: Schedule.rate(LOOK_EVERY),
      targets: [new LambdaTarget(this.function, { retryAttempts: 0 })],
    });
    acceptFindings(this, FUNCTION_FINDINGS);
  }

  /** Reads the results and the pipeline; writes only the watcher's own items; publishes on the topic. */
  private grant(props: PipelineWatcherProps): void {
    const table = props.table;
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PIPELINE_PARTITIONS] } },
      }),
    );
    table.encryptionKey?.grantDecrypt(this.function);
    props.topic.grantPublish(this.function);
    // GetPipelineExecution, ListActionExecutions and GetPipelineState take the pipeline's ARN as
    // their resource (Service Authorization Reference, CodePipeline): this pipeline only.
    const pipelineArn = Stack.of(this).formatArn({ service: 'codepipeline', resource: props.pipelineName });
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'codepipeline:GetPipelineExecution',
          'codepipeline:ListActionExecutions',
          'codepipeline:GetPipelineState',
        ],
        resources: [pipelineArn],
      }),
    );
  }
}
