// Notifications to an SNS topic: the subject and text people read, plus attributes subscribers can
// filter on (kind, status, branch).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { formatNotification, type Notification } from './message.ts';
import type { Notifier } from './notifier.ts';

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(notification: Notification): Promise<void> {
    const { subject, text } = formatNotification(notification);
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        Message: text,
        MessageAttributes: {
          kind: attribute(notification.kind),
          status: attribute(notification.run.status),
          ...(notification.run.branch ? { branch: attribute(notification.run.branch) } : {}),
        },
      }),
    );
  }
}
