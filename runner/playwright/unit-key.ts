// A unit's key, from Playwright's identity of a test: its file, title path, project and repeat.
import { createHash } from 'node:crypto';

/** A unit's key: short, URL-safe, the same in every run for the same test in the same project. */
export function unitKey(file: string, titlePath: readonly string[], project: string, repeat = 0): string {
  // The first repeat keeps the key a test had before repeatEach was turned on: its history stays.
  const parts = [file, ...titlePath, project, ...(repeat ? [`#${repeat}`] : [])];
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('base64url');
  return hash.slice(0, 22);
}
