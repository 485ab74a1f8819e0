// What must still happen when the user will not wait for a clean stop (a second Ctrl-C): every
// Playwright group killed, and each command's last words — the run marked cancelled — given a
// moment, never more.
import { killGroups } from '../playwright/process-groups.ts';

const hooks = new Set<() => Promise<unknown>>();

/** Registers last words for a forced exit; returns the function that removes them. */
export function onForcedExit(hook: () => Promise<unknown>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Kills Playwright's groups, then waits for the last words at most `deadlineMs`. */
export async function forceExit(deadlineMs: number): Promise<void> {
  killGroups();
  const words = Promise.allSettled([...hooks].map((hook) => hook()));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([words, new Promise((ok) => (timer = setTimeout(ok, deadlineMs)))]);
  clearTimeout(timer);
}
