// Notifications to an SNS topic, one publish for every kind of subscriber (SNS Publish,
// `MessageStructure: 'json'`): a chat channel behind Amazon Q Developer in chat applications, and
// any queue, function or webhook, get `default` — the custom notification it shows
// (render-chat.ts); an email subscription gets `email`, the text with its subject. Attributes let
// subscribers filter (kind, status, branch).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { aboutOf, type Notification } from './notification.ts';
import type { Notifier } from './notifier.ts';
import { chatMessage } from './render-chat.ts';
import { emailSubject, emailText } from './render-text.ts';

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(notification: Notification): Promise<void> {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    const about = aboutOf(notification);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: emailSubject(notification),
        MessageStructure: 'json',
        Message: JSON.stringify({
          default: JSON.stringify(chatMessage(notification)),
          email: emailText(notification),
        }),
        MessageAttributes: {
          kind: attribute(notification.kind),
          ...(about.status ? { status: attribute(about.status) } : {}),
          ...(about.branch ? { branch: attribute(about.branch) } : {}),
        },
      }),
    );
  }
}
