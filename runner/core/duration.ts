// Durations on the command line: 500ms, 30s, 10m, 1h (or plain seconds).
import { UsageError } from './errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} takes a duration such as 30s, 10m or 1h, not "${text.slice(0, 40)}"`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!);
}
