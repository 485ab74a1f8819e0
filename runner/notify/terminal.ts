// Notifications on the terminal: the local stand-in for an SNS topic's subscribers.
import { formatNotification, type Notification } from './message.ts';
import type { Notifier } from './notifier.ts';

export class TerminalNotifier implements Notifier {
  constructor(private readonly out: NodeJS.WritableStream) {}

  async notify(notification: Notification): Promise<void> {
    const { text } = formatNotification(notification);
    const [first, ...rest] = text.split('\n');
    this.out.write(`🔔 ${first}\n${rest.map((line) => `   ${line}\n`).join('')}`);
  }
}
