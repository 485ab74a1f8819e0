// Where notifications go: the terminal locally, SNS in AWS. A notification that cannot be delivered
// is reported and never fails the run or the decision it tells about.
import { aboutOf, type Notification } from './notification.ts';

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** Sends to every notifier; one failing does not stop the others. */
export class Notifiers implements Notifier {
  constructor(
    private readonly targets: readonly Notifier[],
    private readonly warn: (line: string) => void,
  ) {}

  async notify(notification: Notification): Promise<void> {
    const results = await Promise.allSettled(this.targets.map((target) => target.notify(notification)));
    for (const result of results) {
      if (result.status === 'rejected')
        this.warn(
          `notification ${notification.kind} for ${aboutOf(notification).runId ?? `execution ${aboutOf(notification).thread}`} not delivered: ${(result.reason as Error).message ?? result.reason}`,
        );
    }
  }
}
