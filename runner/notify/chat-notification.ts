// The one message shape Amazon Q Developer in chat applications (formerly AWS Chatbot) posts to a
// Slack, Teams or Chime channel from an SNS topic: a *custom notification*. Anything else on the
// topic is dropped by it without a word. Event schema and parameters: "Custom notifications using
// Amazon Q Developer in chat applications" (Chatbot administrator guide, custom-notifs): `version`
// must be "1.0", `source` must be "custom", `textType` only "client-markdown"; `threadId` groups
// notifications into one thread of the channel.

export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType?: 'client-markdown';
    title?: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata?: {
    threadId?: string;
    summary?: string;
    eventType?: string;
    relatedResources?: string[];
    additionalContext?: Record<string, string>;
  };
}

/**
 * How long uigate lets each part be. The guide gives no lengths; these keep a message whole in a
 * channel and far inside SNS's 256 KB, and a test holds every message to them.
 */
export const CHAT_LIMITS = { title: 250, description: 3_000, nextSteps: 5, keywords: 10, keyword: 75 };

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** What is wrong with a message as a custom notification: nothing, for one the channel will show. */
export function chatNotificationProblems(message: unknown): string[] {
  const problems: string[] = [];
  const m = message as Partial<ChatNotification> | null;
  if (!m || typeof m !== 'object') return ['not an object'];
  if (m.version !== '1.0') problems.push(`version must be "1.0", got ${JSON.stringify(m.version)}`);
  if (m.source !== 'custom') problems.push(`source must be "custom", got ${JSON.stringify(m.source)}`);
  if (m.id !== undefined && typeof m.id !== 'string') problems.push('id must be a string');
  const content = m.content;
  if (!content || typeof content !== 'object') return [...problems, 'content is required'];
  if (content.textType !== undefined && content.textType !== 'client-markdown')
    problems.push(`content.textType must be "client-markdown", got ${JSON.stringify(content.textType)}`);
  if (typeof content.description !== 'string' || !content.description.trim())
    problems.push('content.description is required');
  else if (content.description.length > CHAT_LIMITS.description)
    problems.push(`content.description is ${content.description.length} characters, over ${CHAT_LIMITS.description}`);
  if (content.title !== undefined && (typeof content.title !== 'string' || content.title.length > CHAT_LIMITS.title))
    problems.push(`content.title must be a string of at most ${CHAT_LIMITS.title} characters`);
  if (
    content.nextSteps !== undefined &&
    (!isStrings(content.nextSteps) || content.nextSteps.length > CHAT_LIMITS.nextSteps)
  )
    problems.push(`content.nextSteps must be at most ${CHAT_LIMITS.nextSteps} strings`);
  if (
    content.keywords !== undefined &&
    (!isStrings(content.keywords) ||
      content.keywords.length > CHAT_LIMITS.keywords ||
      content.keywords.some((keyword) => keyword.length > CHAT_LIMITS.keyword))
  )
    problems.push(
      `content.keywords must be at most ${CHAT_LIMITS.keywords} strings of ${CHAT_LIMITS.keyword} characters`,
    );
  const metadata = m.metadata;
  if (metadata !== undefined) {
    for (const key of ['threadId', 'summary', 'eventType'] as const)
      if (metadata[key] !== undefined && typeof metadata[key] !== 'string')
        problems.push(`metadata.${key} must be a string`);
    if (metadata.relatedResources !== undefined && !isStrings(metadata.relatedResources))
      problems.push('metadata.relatedResources must be strings');
    const extra = metadata.additionalContext;
    if (extra !== undefined && (typeof extra !== 'object' || !Object.values(extra).every((v) => typeof v === 'string')))
      problems.push('metadata.additionalContext must map names to strings');
  }
  const known = new Set(['version', 'source', 'id', 'content', 'metadata']);
  for (const key of Object.keys(m)) if (!known.has(key)) problems.push(`unknown member ${key}`);
  return problems;
}
