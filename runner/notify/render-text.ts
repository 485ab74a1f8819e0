// A notification as text: the terminal's lines under a bell, and an email's subject and body.
import { facts, headline, nextSteps, type Notification } from './notification.ts';

/** The terminal: the headline, then the facts, indented under it. */
export function terminalText(n: Notification): string {
  const lines = [...facts(n).map(([label, value]) => `${label.toLowerCase()}: ${value}`), ...nextSteps(n)];
  return `🔔 ${headline(n)}\n${lines.map((line) => `   ${line}\n`).join('')}`;
}

/**
 * SNS subjects (Publish, API reference): ASCII, starting with a letter, number or punctuation, no
 * line breaks or control characters, under 100 characters.
 */
export function emailSubject(n: Notification): string {
  return `uigate: ${headline(n)}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);
}

/** An email: the headline, the facts as an aligned table, and what to do next. */
export function emailText(n: Notification): string {
  const rows = facts(n);
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return [
    headline(n),
    '',
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`),
    ...(nextSteps(n).length ? ['', ...nextSteps(n)] : []),
    '',
    '— uigate',
  ].join('\n');
}
