// Notifications on the terminal: the local stand-in for an SNS topic's subscribers.
import type { Notification } from './notification.ts';
import type { Notifier } from './notifier.ts';
import { terminalText } from './render-text.ts';

export class TerminalNotifier implements Notifier {
  constructor(private readonly out: NodeJS.WritableStream) {}

  async notify(notification: Notification): Promise<void> {
    this.out.write(terminalText(notification));
  }
}
