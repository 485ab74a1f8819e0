// The Playwright process groups this process has started and not yet seen end. Each batch runs
// Playwright detached in a group of its own (its workers and browsers with it), so exiting does not
// take them along: whoever exits early — a second Ctrl-C — kills them here first.
const live = new Set<number>();

export function trackGroup(pid: number | undefined): void {
  if (pid) live.add(pid);
}

export function untrackGroup(pid: number | undefined): void {
  if (pid) live.delete(pid);
}

/** The groups a forced exit would kill now. */
export function trackedGroups(): readonly number[] {
  return [...live];
}

/** SIGKILL to every live group, at once and synchronously: safe to call just before process.exit. */
export function killGroups(): number {
  let killed = 0;
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  live.clear();
  return killed;
}
