// Test helper: two releases on one production target, told as uigate records them — the first
// approved and verified, the second approved, set off the smoke alarm in its bake and rolled back
// to the first — with the failed smoke run between them.
import { SMOKE_TRIGGER } from '../../runner/core/selection.ts';
import type { RunEvent } from '../../runner/core/model.ts';
import { seedRun, type SeededStore } from './seed.ts';

/** A local target's path: long enough to overflow a phone's card if it is not allowed to wrap. */
export const TARGET = 'local:/home/release-manager/projects/checkout-web/.uigate/production';
export const ALARM = 'uigate-smoke-failures';
export const RAW_REASON = `${ALARM} is ALARM: 1 of the last 2 periods breached GreaterThanOrEqualToThreshold 1 (needs 1) [–, 1]`;

export interface ReleaseStory {
  good: string;
  broken: string;
  smoke: string;
}

export async function seedReleaseStory(seed: SeededStore, now = Date.now()): Promise<ReleaseStory> {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  const iso = (minutesAgo: number) => at(minutesAgo).toISOString();
  const passing = [
    { file: 'cart.spec.ts', title: 'adds an item', status: 'passed' as const },
    { file: 'checkout.spec.ts', title: 'pays with the saved card', status: 'passed' as const },
  ];
  const good = await seedRun(seed, passing, { trigger: 'ci', commitMessage: 'Show the basket total' }, at(90));
  const broken = await seedRun(
    seed,
    passing,
    { trigger: 'ci', commit: 'fedcba9876543210', commitMessage: 'Move the pay button' },
    at(40),
  );
  const smoke = await seedRun(
    seed,
    [{ file: 'checkout.spec.ts', title: 'pays with the saved card @smoke', status: 'failed', error: 'Timed out' }],
    { trigger: SMOKE_TRIGGER, selection: { grep: '@smoke', projects: ['chromium'] } },
    at(25),
  );
  const event = (
    runId: string,
    minutesAgo: number,
    type: RunEvent['type'],
    detail: Record<string, unknown>,
    actor = 'uigate verify',
  ) => seed.store.addEvent({ runId, at: iso(minutesAgo), type, actor, detail });
  for (const [runId, minutesAgo] of [
    [good, 80],
    [broken, 32],
  ] as const)
    await event(
      runId,
      minutesAgo,
      'approval-decided',
      { state: 'approved', approvers: ['ana@example.com'], override: false },
      'ana@example.com',
    );
  await event(good, 79, 'promoted', { target: TARGET, releaseId: good, previous: null });
  await event(good, 69, 'verified', { target: TARGET, releaseId: good, checks: 20 });
  await event(broken, 30, 'promoted', { target: TARGET, releaseId: broken, previous: good });
  await event(broken, 30, 'bake-started', { target: TARGET, releaseId: broken, alarms: [ALARM], bakeMs: 600_000 });
  await event(broken, 24, 'alarm', {
    alarm: ALARM,
    state: 'ALARM',
    reason: RAW_REASON.replace(`${ALARM} is ALARM: `, ''),
    smokeRuns: [smoke],
  });
  await event(broken, 24, 'rollback-started', { from: broken, to: good });
  await event(broken, 24, 'rollback-restored', { releaseId: good, commit: '0123456789abcdef', msFromAlarm: 1800 });
  await seed.store.putRelease({
    target: TARGET,
    releaseId: good,
    runId: good,
    commit: '0123456789abcdef',
    status: 'verified',
    promotedAt: iso(79),
    updatedAt: iso(69),
  });
  await seed.store.putRelease({
    target: TARGET,
    releaseId: broken,
    runId: broken,
    commit: 'fedcba9876543210',
    status: 'failed',
    promotedAt: iso(30),
    updatedAt: iso(24),
    reason: RAW_REASON,
    alarm: ALARM,
    rolledBackTo: good,
    smokeRuns: [smoke],
  });
  return { good, broken, smoke };
}
