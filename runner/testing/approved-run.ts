// Test helper: a run in a seeded store whose artifact is a folder, passed and approved by a
// distinct approver — what `uigate promote --from <folder>` accepts.
import assert from 'node:assert/strict';
import type { SeededStore } from '../../status-site/testing/seed.ts';
import { seedRun } from '../../status-site/testing/seed.ts';
import { resolveConfig } from '../config/config.ts';
import { decide, openRequest } from '../gate/approvals.ts';
import { siteDigest } from '../verify/digest.ts';

/** Seeds a passed run bound to `folder`'s digest and approves it; returns its id. */
export async function approvedRun(seed: SeededStore, folder: string, spec = 'home.spec.ts'): Promise<string> {
  const runId = await seedRun(seed, [{ file: spec, title: 'answers', status: 'passed' }], {
    artifactDigest: await siteDigest(folder),
  });
  const settings = resolveConfig({ approval: { approvers: ['ana'] } }, seed.dir, {}).approval;
  const run = (await seed.store.getRun(runId))!;
  await openRequest({ store: seed.store, run, gate: { passed: true, rules: [] }, settings, actor: 'test' });
  const decided = await decide(
    { runId, approver: 'ana', decision: 'approved', comment: 'ok' },
    { store: seed.store, settings },
  );
  assert.ok(decided.ok);
  return runId;
}
