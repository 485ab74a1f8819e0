// Notifications to an SNS topic as moto_server implements SNS: published by the code uigate runs,
// received the way a subscriber gets them (an SQS queue subscribed to the topic, the SNS envelope
// as delivered), so the subject, text and filterable attributes are what SNS accepted and passed on.
import assert from 'node:assert/strict';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { after, before, describe, it } from 'node:test';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
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

  it('delivers the subject, the text and the attributes subscribers filter on', async () => {
    await new SnsNotifier(sns, topicArn).notify({
      kind: 'run-failed',
      run: {
        runId: '20261206T000000000Z-abcd',
        commit: '0123456789abcdef',
        branch: 'feature/ünïcode-and-a-very-long-branch-name-that-goes-on-and-on-past-any-subject-line',
        trigger: 'ci',
        total: 3,
        counts: { passed: 2, failed: 1 },
        durationMs: 65_000,
        status: 'failed',
      },
      link: 'https://status.example.com/runs/20261206T000000000Z-abcd',
      reason: '1 failed: [firefox] pays with the saved card',
    });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    assert.equal(received.Messages?.length, 1);
    const envelope = JSON.parse(received.Messages![0]!.Body!) as {
      Subject: string;
      Message: string;
      MessageAttributes: Record<string, { Type: string; Value: string }>;
    };
    assert.equal(envelope.Subject, 'uigate: run 20261206T000000000Z-abcd failed');
    assert.match(envelope.Message, /^run 20261206T000000000Z-abcd failed\ncommit 0123456789ab on feature\/ünïcode/);
    assert.match(envelope.Message, /3 units: 2 passed, 1 failed in 1m 5s\nreason: 1 failed: \[firefox\] pays/);
    assert.deepEqual(
      Object.fromEntries(Object.entries(envelope.MessageAttributes).map(([name, a]) => [name, `${a.Type}:${a.Value}`])),
      {
        kind: 'String:run-failed',
        status: 'String:failed',
        branch: 'String:feature/ünïcode-and-a-very-long-branch-name-that-goes-on-and-on-past-any-subject-line',
      },
    );
  });
});
