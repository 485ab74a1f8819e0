import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import type { ApprovalSettings } from '../config/config.ts';
import { newRunId } from '../core/model.ts';
import { decide, openRequest } from './approvals.ts';
import { judgeRun } from './judge.ts';

const settings: ApprovalSettings = {
  approvers: ['ana'],
  overriders: [],
  requiredApprovals: 1,
  expiresAfterHours: 24,
  authorMayApprove: true,
  readers: [],
  personRoles: [],
};
const day = (n: number) => new Date(Date.UTC(2031, 0, n));

describe('judging a run against the last approved run on its branch, in the store', () => {
  let seed: SeededStore;
  before(async () => (seed = await seededStore()));
  after(() => seed.remove());

  /** A run of two units, approved through the real request and vote. */
  async function approvedRun(
    branch: string,
    at: Date,
    status: { pays: 'passed' | 'failed'; ships: 'passed' | 'failed' },
  ) {
    const runId = await seedRun(
      seed,
      [
        { file: 'cart.spec.ts', title: 'pays', status: status.pays },
        { file: 'cart.spec.ts', title: 'ships', status: status.ships },
      ],
      { branch },
      at,
    );
    const run = (await seed.store.getRun(runId))!;
    await openRequest({ store: seed.store, run, gate: { passed: true, rules: [] }, settings, actor: 'test' });
    const vote = await decide(
      { runId, approver: 'ana', decision: 'approved', comment: 'known failure in ships', override: false },
      { store: seed.store, settings },
    );
    assert.ok(vote.ok, JSON.stringify(vote));
    return runId;
  }

  it('names the failures that are new since the approved run, however many runs ago it was, and only from its branch', async () => {
    const baseline = await approvedRun('main', day(1), { pays: 'passed', ships: 'failed' });
    // Approved later, but on another branch, where pays already failed: not main's baseline.
    await approvedRun('feature', day(2), { pays: 'failed', ships: 'failed' });
    // Many runs since, none decided on: the search pages past them without reading their events.
    for (let i = 0; i < 130; i++) {
      const at = new Date(day(3).getTime() + i * 1000);
      await seed.store.createRun({
        runId: newRunId(at),
        status: 'passed',
        trigger: 'test',
        branch: 'main',
        projects: [],
        modules: [],
        executors: ['local'],
        total: 0,
        counts: {},
        startedAt: at.toISOString(),
      });
    }
    const now = await seedRun(
      seed,
      [
        { file: 'cart.spec.ts', title: 'pays', status: 'failed' },
        { file: 'cart.spec.ts', title: 'ships', status: 'failed' },
      ],
      { branch: 'main' },
      day(4),
    );

    const judged = await judgeRun(seed.store, now, { maxFailures: 2 }, 'test');
    assert.equal(judged?.comparedWith, baseline);
    const rule = judged!.decision.rules.find((r) => r.rule === 'no new failures')!;
    assert.equal(rule.passed, false);
    assert.equal(rule.measured, '1 new: [chromium] pays');
    const gate = (await seed.store.listEvents(now)).find((event) => event.type === 'gate')!;
    assert.equal(gate.detail!.comparedWith, baseline, 'the gate event says what it compared with');
  });

  it('says when there is no approved run to compare with', async () => {
    const lonely = await seedRun(
      seed,
      [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }],
      { branch: 'lonely' },
      day(5),
    );
    const judged = await judgeRun(seed.store, lonely, {}, 'test');
    assert.equal(judged?.comparedWith, undefined);
    assert.equal(
      judged!.decision.rules.find((r) => r.rule === 'no new failures')!.measured,
      'no approved run to compare with',
    );
  });
});
