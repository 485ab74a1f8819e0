// A custom notification as a Slack or Teams channel shows it, in markdown: the title in bold with
// its emoji, the facts, the next steps. For the README's examples, which a test holds to the
// renderer so they never drift from what a channel gets.
import type { ChatNotification } from './chat-notification.ts';

const EMOJI: Record<string, string> = {
  ':information_source:': 'ℹ️',
  ':white_check_mark:': '✅',
  ':hourglass:': '⏳',
  ':x:': '❌',
};

/** The card a channel posts, as a markdown blockquote. */
export function channelView(message: ChatNotification): string {
  const title = (message.content.title ?? '').replace(/^:[a-z_]+:/, (code) => EMOJI[code] ?? code);
  const lines = [
    `**${title}**`,
    '',
    ...message.content.description.split('\n').map((line) => `${line.replace(/^\*([^*]+):\*/, '**$1:**')}  `),
    ...(message.content.nextSteps?.length ? ['', ...message.content.nextSteps.map((step) => `• ${step}  `)] : []),
  ];
  return lines.map((line) => (line ? `> ${line}` : '>')).join('\n');
}
