// The notifiers a config asks for: the terminal always when there is one, SNS when a topic is set.
import { SNSClient } from '@aws-sdk/client-sns';
import type { ResolvedConfig } from '../config/config.ts';
import type { Notification } from './message.ts';
import { Notifiers, type Notifier } from './notifier.ts';
import { SnsNotifier } from './sns.ts';
import { TerminalNotifier } from './terminal.ts';

export function createNotifier(config: Pick<ResolvedConfig, 'notify'>, terminal?: NodeJS.WritableStream): Notifier {
  const targets: Notifier[] = [];
  if (terminal) targets.push(new TerminalNotifier(terminal));
  if (config.notify.snsTopicArn)
    targets.push(new SnsNotifier(new SNSClient({ region: config.notify.region }), config.notify.snsTopicArn));
  return new Notifiers(targets, (line) => (terminal ?? process.stderr).write(`uigate: ${line}\n`));
}

/** The run page's address in messages, when the status site's URL is known. */
export function runLink(config: Pick<ResolvedConfig, 'notify'>, runId: string, localUrl?: string): string | undefined {
  const base = config.notify.statusUrl ?? localUrl;
  return base ? `${base.replace(/\/$/, '')}/runs/${runId}` : undefined;
}

export type { Notification, Notifier };
