// The watcher end to end on moto_server: CodePipeline's recorded events put on EventBridge, matched
// by the watcher rule's own pattern (the one the CDK construct synthesizes) into a queue, handed to
// the watcher, told through SNS, and read back by a subscriber's queue. Every message is a custom
// notification a chat channel shows, all in one thread per execution, one per transition, in order.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { chatNotificationProblems, type ChatNotification } from '../notify/chat-notification.ts';
import { SnsNotifier } from '../notify/sns.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import type { ExecutionFacts } from './execution-facts.ts';
import { transitionsPattern } from './pipeline-event.ts';
import { watchEvent } from './watcher.ts';

const skip = motoMissing();
const PIPELINE_ARN = 'arn:aws:codepipeline:eu-west-1:123456789012:shop-release';

describe('the pipeline watcher on EventBridge, SNS and SQS (moto_server)', { skip }, () => {
  let moto: Moto;
  let events: EventBridgeClient;
  let sns: SNSClient;
  let sqs: SQSClient;
  let dir: string;
  let store: DynamoStore;
  const queues: Record<string, string> = {};

  const queue = async (name: string) => {
    queues[name] = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues[name], AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
  };
  const drain = async (name: string): Promise<string[]> => {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queues[name], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages.length) return bodies;
      for (const message of Messages) {
        bodies.push(message.Body!);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queues[name], ReceiptHandle: message.ReceiptHandle! }));
      }
    }
  };

  before(async () => {
    moto = await startMoto();
    events = new EventBridgeClient(moto.client);
    sns = new SNSClient(moto.client);
    sqs = new SQSClient(moto.client);
    const pattern = transitionsPattern(PIPELINE_ARN);
    await events.send(
      new PutRuleCommand({
        Name: 'uigate-watcher',
        EventPattern: JSON.stringify({
          source: pattern.source,
          'detail-type': pattern.detailType,
          resources: pattern.resources,
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'uigate-watcher',
        Targets: [{ Id: 'watcher', Arn: await queue('watcher-inbox') }],
      }),
    );
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'uigate-approvals' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: await queue('team-inbox') }));
    queues.topic = topicArn;
    dir = await mkdtemp(join(tmpdir(), 'uigate-watch-moto-'));
    store = (await openEmbeddedStore(join(dir, 'dynamodb'))).store as DynamoStore;
  });
  after(async () => {
    events?.destroy();
    sns?.destroy();
    sqs?.destroy();
    await store?.close();
    await moto?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tells each transition once, in one thread, as custom notifications, from events the rule matched', async () => {
    const recorded = JSON.parse(
      await readFile(new URL('./recorded/succeeded-1.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>[];
    const other = { ...recorded[0]!, resources: ['arn:aws:codepipeline:eu-west-1:123456789012:another'] };
    // Twice each, and the last first: EventBridge promises neither once nor order.
    for (const event of [...recorded].reverse().concat(recorded, [other]))
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: String(event.source),
              DetailType: String(event['detail-type']),
              Detail: JSON.stringify(event.detail),
              Resources: event.resources as string[],
              Time: new Date(String(event.time)),
            },
          ],
        }),
      );
    const delivered = (await drain('watcher-inbox')).map((body) => JSON.parse(body) as Record<string, unknown>);
    assert.equal(
      delivered.length,
      recorded.length * 2,
      "the rule's pattern matches this pipeline's events, no other's",
    );
    const facts: ExecutionFacts = { source: async () => ({}), failure: async () => undefined };
    const notifier = new SnsNotifier(sns, queues.topic!);
    const settings = { pipeline: 'shop-release', stages: ['Source', 'Build', 'Test', 'Approval', 'Production'] };
    const now = Date.parse('2026-12-07T08:45:11Z');
    for (const [i, event] of delivered.entries())
      await watchEvent(event, {
        log: store.pipelineLog(),
        store,
        facts,
        notifier,
        settings,
        now: () => now,
        holder: `i${i}`,
      });
    const told = (await drain('team-inbox')).map(
      (body) => JSON.parse((JSON.parse(body) as { Message: string }).Message) as ChatNotification,
    );
    assert.deepEqual(
      told.map((chat) => chat.metadata?.eventType),
      ['pipeline-started', 'stage-changed', 'stage-changed', 'stage-changed', 'stage-changed', 'pipeline-succeeded'],
    );
    for (const chat of told) {
      assert.deepEqual(chatNotificationProblems(chat), []);
      assert.equal(chat.metadata?.threadId, '0b6c1d2e-3f40-4a51-9b62-7c83d94ea5f1');
    }
    assert.equal(told[2]!.content.title, ':information_source: shop-release: Build done, Test starting');
  });
});
