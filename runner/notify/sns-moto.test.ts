// Notifications to an SNS topic as moto_server implements SNS: published by the code uigate runs,
// received the way a subscriber gets them (an SQS queue subscribed to the topic, the SNS envelope
// as delivered), so the subject, the message a subscriber gets from a JSON-structured publish and
// the filterable attributes are what SNS accepted and passed on.
import assert from 'node:assert/strict';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { after, before, describe, it } from 'node:test';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { chatNotificationProblems, type ChatNotification } from './chat-notification.ts';
import type { Notification } from './notification.ts';
import { SnsNotifier } from './sns.ts';

const skip = motoMissing();

describe('notifications on an SNS topic (SNS and SQS on moto_server)', { skip }, () => {
  let moto: Moto;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  let queueUrl: string;

  before(async () => {
    moto = await startMoto();
    sns = new SNSClient(moto.client);
    sqs = new SQSClient(moto.client);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'uigate-approvals' }))).TopicArn!;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'team-inbox' }))).QueueUrl!;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  });
  after(async () => {
    sns?.destroy();
    sqs?.destroy();
    await moto?.close();
  });

  const run = {
    runId: '20261206T000000000Z-abcd',
    commit: '0123456789abcdef',
    commitMessage: 'Pay with the saved card',
    branch: 'feature/ünïcode-and-a-very-long-branch-name-that-goes-on-and-on-past-any-subject-line',
    trigger: 'codepipeline/shop-release',
    pipelineName: 'shop-release',
    pipelineExecutionId: '3f0c7d52-1b9e-4a53-8e0f-6a2d9c1b7e44',
    total: 3,
    counts: { passed: 2, failed: 1 },
    durationMs: 65_000,
    status: 'failed' as const,
  };

  const receive = async () => {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    return (received.Messages ?? []).map(
      (message) =>
        JSON.parse(message.Body!) as {
          Subject: string;
          Message: string;
          MessageAttributes: Record<string, { Type: string; Value: string }>;
        },
    );
  };

  it('delivers a custom notification a chat channel shows, with the subject and the attributes subscribers filter on', async () => {
    await new SnsNotifier(sns, topicArn).notify({
      kind: 'run-failed',
      run,
      link: 'https://status.example.com/runs/20261206T000000000Z-abcd',
      reason: '1 failed: [firefox] pays with the saved card',
    });
    const [envelope, ...more] = await receive();
    assert.equal(more.length, 0);
    assert.equal(envelope!.Subject, 'uigate: run 20261206T000000000Z-abcd failed');
    // What a queue (and the chat integration's endpoint) gets is `default`: the custom notification.
    const chat = JSON.parse(envelope!.Message) as ChatNotification;
    assert.deepEqual(chatNotificationProblems(chat), []);
    assert.equal(chat.metadata?.threadId, run.pipelineExecutionId);
    assert.match(
      chat.content.description,
      /\*Commit:\* 0123456789ab Pay with the saved card\n\*Branch:\* feature\/ünïcode/,
    );
    assert.match(
      chat.content.description,
      /\*Tests:\* 3 units: 2 passed, 1 failed\n\*Duration:\* 1m 5s\n\*Reason:\* 1 failed: \[firefox\] pays/,
    );
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(envelope!.MessageAttributes).map(([name, a]) => [name, `${a.Type}:${a.Value}`]),
      ),
      {
        kind: 'String:run-failed',
        status: 'String:failed',
        branch: 'String:feature/ünïcode-and-a-very-long-branch-name-that-goes-on-and-on-past-any-subject-line',
      },
    );
  });

  it('puts every message of one pipeline execution in one thread: a release from start to rollback', async () => {
    const notifier = new SnsNotifier(sns, topicArn);
    const release = { target: 's3://shop-site', releaseId: run.runId };
    for (const notification of [
      { kind: 'run-started', run: { ...run, status: 'running' } },
      { kind: 'approval-requested', run },
      { kind: 'release-promoted', run, release: { ...release, previous: '20261205T000000000Z-wxyz' } },
      {
        kind: 'release-rolled-back',
        run,
        release: { ...release, restored: '20261205T000000000Z-wxyz', alarm: 'smoke', faultToRestoreMs: 61_000 },
      },
    ] as Notification[])
      await notifier.notify(notification);
    const messages = (await receive()).map((envelope) => JSON.parse(envelope.Message) as ChatNotification);
    assert.deepEqual(
      messages.map((chat) => chat.metadata?.eventType),
      ['run-started', 'approval-requested', 'release-promoted', 'release-rolled-back'],
    );
    for (const chat of messages) {
      assert.deepEqual(chatNotificationProblems(chat), []);
      assert.equal(chat.metadata?.threadId, run.pipelineExecutionId);
    }
    assert.equal(messages[3]!.content.title, ':x: rolled back s3://shop-site to 20261205T000000000Z-wxyz');
  });
});
