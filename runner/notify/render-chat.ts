// A notification as a chat channel shows it: a custom notification (chat-notification.ts) in the
// channel's markdown, one thread per pipeline execution (else per run), with the run page and the
// commands to act on it as next steps.
import { CHAT_LIMITS, type ChatNotification } from './chat-notification.ts';
import { aboutOf, facts, headline, nextSteps, SEVERITY, type Notification } from './notification.ts';

const EMOJI = { info: ':information_source:', success: ':white_check_mark:', warning: ':hourglass:', failure: ':x:' };

/**
 * Text that came from people (commit messages, comments) shown as text: no `<!channel>` or `<@user>`
 * mention and no link that says one thing and goes elsewhere. Slack reads `<…>` as markup and has no
 * backslash escape, so angle brackets become ‹ › and a markdown link is split into its two parts.
 */
const plain = (text: string) => text.replace(/</g, '‹').replace(/>/g, '›').replace(/\]\(/g, '] (');

export function chatMessage(n: Notification): ChatNotification {
  const severity = SEVERITY[n.kind];
  const about = aboutOf(n);
  const release = 'release' in n ? n.release : undefined;
  const transition = 'pipeline' in n ? (n.pipeline.starting ?? n.pipeline.endedIn ?? n.pipeline.status) : undefined;
  const description = facts(n)
    .map(([label, value]) => `*${label}:* ${plain(value)}`)
    .join('\n');
  return {
    version: '1.0',
    source: 'custom',
    id: `${n.kind}:${release?.releaseId ?? about.runId ?? `${about.thread}:${transition}`}`,
    content: {
      textType: 'client-markdown',
      title: `${EMOJI[severity]} ${plain(headline(n))}`.slice(0, CHAT_LIMITS.title),
      description: clip(description || plain(headline(n)), CHAT_LIMITS.description),
      nextSteps: nextSteps(n).slice(0, CHAT_LIMITS.nextSteps),
      keywords: keywords(n),
    },
    metadata: {
      threadId: about.thread,
      summary: headline(n),
      eventType: n.kind,
      relatedResources: [
        ...(about.runId ? [about.runId] : []),
        ...(about.pipelineName ? [about.pipelineName] : []),
        ...(release ? [release.target] : []),
      ],
      additionalContext: {
        ...(about.runId ? { runId: about.runId } : {}),
        ...(about.status ? { status: about.status } : {}),
        ...(about.branch ? { branch: about.branch } : {}),
        ...(about.commit ? { commit: about.commit } : {}),
        ...(release ? { target: release.target, releaseId: release.releaseId } : {}),
      },
    },
  };
}

function keywords(n: Notification): string[] {
  const about = aboutOf(n);
  const words = [n.kind, about.branch, about.pipelineName].filter((word): word is string => Boolean(word));
  return [...new Set(words)].map((word) => word.slice(0, CHAT_LIMITS.keyword)).slice(0, CHAT_LIMITS.keywords);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
