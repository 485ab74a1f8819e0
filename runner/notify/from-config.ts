// The notifiers a config asks for: the terminal always when there is one, SNS when a topic is set.
import type { ResolvedConfig } from '../config/config.ts';
import type { Notification } from './notification.ts';
import { Notifiers, type Notifier } from './notifier.ts';
import { TerminalNotifier } from './terminal.ts';

export function createNotifier(config: Pick<ResolvedConfig, 'notify'>, terminal?: NodeJS.WritableStream): Notifier {
  const targets: Notifier[] = [];
  if (terminal) targets.push(new TerminalNotifier(terminal));
  if (config.notify.snsTopicArn) targets.push(snsNotifier(config.notify.region, config.notify.snsTopicArn));
  return new Notifiers(targets, (line) => (terminal ?? process.stderr).write(`uigate: ${line}\n`));
}

/** SNS's client is loaded with the first message, not with every command that might send one. */
function snsNotifier(region: string | undefined, topicArn: string): Notifier {
  let sns: Promise<Notifier> | undefined;
  const load = async () => {
    const [{ SNSClient }, { SnsNotifier }] = await Promise.all([import('@aws-sdk/client-sns'), import('./sns.ts')]);
    return new SnsNotifier(new SNSClient({ region }), topicArn);
  };
  return { notify: async (notification) => (await (sns ??= load())).notify(notification) };
}

/** The run page's address in messages, when the status site's URL is known. */
export function runLink(config: Pick<ResolvedConfig, 'notify'>, runId: string, localUrl?: string): string | undefined {
  const base = config.notify.statusUrl ?? localUrl;
  return base ? `${base.replace(/\/$/, '')}/runs/${runId}` : undefined;
}

export type { Notification, Notifier };
