// The visual review in the approval: screenshot changes fingerprinted from their stored bytes, the
// gate leaving visual-only failures to the approval, an approval refused until every change is
// decided, one rejection rejecting the release, and a change accepted once shown as accepted again.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore, type SeedUnit } from '../../status-site/testing/seed.ts';
import type { ApprovalSettings } from '../config/config.ts';
import { decide, decideVisual, loadApproval, openRequest } from './approvals.ts';
import { evaluatePolicy } from './policy.ts';
import { loadVisualReview } from './visual-decisions.ts';
import { fingerprintOf, sha256, visualItems } from './visual-review.ts';
import type { UnitRecord } from '../core/model.ts';

const settings: ApprovalSettings = {
  approvers: ['ana', 'ben'],
  overriders: [],
  requiredApprovals: 1,
  expiresAfterHours: 24,
  authorMayApprove: false,
  readers: [],
  personRoles: [],
};

const looks: SeedUnit[] = [
  { file: 'home.spec.ts', title: 'looks right', project: 'chromium', status: 'failed', visual: 'changed', error: 'x' },
  { file: 'home.spec.ts', title: 'looks right', project: 'firefox', status: 'failed', visual: 'changed', error: 'x' },
  { file: 'cart.spec.ts', title: 'pays', project: 'chromium', status: 'passed' },
];

describe('fingerprints', () => {
  it('bind a change to its test, project, baseline and both images; one changed byte is another change', () => {
    const change = {
      file: 'a.spec.ts',
      test: 't',
      project: 'chromium',
      baseline: 'a.png',
      expectedSha: 'e',
      actualSha: 'a',
    };
    assert.equal(fingerprintOf(change), fingerprintOf({ ...change }));
    for (const other of [{ actualSha: 'b' }, { expectedSha: undefined }, { project: 'firefox' }, { baseline: 'b.png' }])
      assert.notEqual(fingerprintOf({ ...change, ...other }), fingerprintOf(change));
  });
});

describe('the stored images', () => {
  it('are refused for a review when they are not what the run recorded', async () => {
    const unit = {
      key: 'k',
      project: 'chromium',
      file: 'a.spec.ts',
      titlePath: ['t'],
      status: 'failed',
      visual: [{ name: 'a.png', baseline: 'a.png', kind: 'changed', expected: 'r/e.png', actual: 'r/a.png' }],
    } as unknown as UnitRecord;
    const read = async (key: string) => Buffer.from(key);
    const recorded = { actualSha: sha256(Buffer.from('r/a.png')), expectedSha: sha256(Buffer.from('r/e.png')) };
    const honest = { ...unit, visual: [{ ...unit.visual![0]!, ...recorded }] };
    assert.equal((await visualItems([honest], read)).length, 1);
    const swapped = {
      ...unit,
      visual: [{ ...unit.visual![0]!, ...recorded, actualSha: sha256(Buffer.from('other')) }],
    };
    await assert.rejects(
      visualItems([swapped], read),
      /stored actual image of \[chromium\] t is not the one the run recorded/,
    );
  });
});

describe('the visual review of a release', () => {
  let seed: SeededStore;
  const read = (key: string) => readFile(join(seed.artifactsDir, key));
  before(async () => {
    seed = await seededStore();
  });
  after(() => seed.remove());

  /** A run with two visual-only failures, judged with visualReview and its approval requested. */
  const requested = async (branch: string) => {
    const runId = await seedRun(seed, looks, { branch, author: 'Dana <dana@example.com>' });
    const run = (await seed.store.getRun(runId))!;
    const gate = evaluatePolicy({ visualReview: true }, run, await seed.store.getUnits(runId));
    await openRequest({ store: seed.store, run, gate, settings, actor: 'test' });
    return { runId, gate };
  };
  const approve = (runId: string, extra: object = {}, approver = 'ana') =>
    decide(
      { runId, approver, decision: 'approved', comment: 'intended: the new header', ...extra },
      { store: seed.store, settings, images: read },
    );

  it('the gate leaves visual-only failures to the approval, saying how many and where; without visualReview they fail it', async () => {
    const { runId, gate } = await requested('gate');
    assert.equal(gate.passed, true, JSON.stringify(gate.rules));
    const rule = gate.rules.find((r) => r.rule === 'visual changes')!;
    assert.match(rule.measured, /^2 in chromium, firefox: decided in the approval$/);
    assert.deepEqual(gate.visualReview, { units: 2 });
    const strict = evaluatePolicy({}, (await seed.store.getRun(runId))!, await seed.store.getUnits(runId));
    assert.equal(strict.passed, false);
  });

  it('fingerprints each change from the stored images, on the approval side', async () => {
    const { runId } = await requested('bytes');
    const items = await visualItems(await seed.store.getUnits(runId), read);
    assert.deepEqual(
      items.map((item) => [item.project, item.screenshot, item.kind]),
      [
        ['chromium', 'look', 'changed'],
        ['firefox', 'look', 'changed'],
      ],
    );
    assert.notEqual(items[0]!.fingerprint, items[1]!.fingerprint);
  });

  it('refuses the approval until every change is decided; accepted, it is approved and the vote holds the accepted set', async () => {
    const { runId } = await requested('accept');
    const refused = await approve(runId);
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.reason : '', /^2 screenshot changes have no decision yet .*--accept-visual all/);
    const [first] = await loadVisualReview(seed.store, (await seed.store.getRun(runId))!, read);
    const partly = await approve(runId, { visual: { accept: [first!.fingerprint] } });
    assert.match(!partly.ok ? partly.reason : '', /^1 screenshot change has no decision yet/);
    const approved = await approve(runId, { visual: { accept: 'all' } });
    assert.ok(approved.ok, !approved.ok ? approved.reason : '');
    assert.equal(approved.view.state, 'approved');
    const vote = approved.view.votes.find((v) => v.decision === 'approved')!;
    assert.equal(vote.visualAccepted?.length, 2);
    assert.deepEqual(
      approved.view.visual?.map((item) => item.decided?.decision),
      ['accepted', 'accepted'],
    );
  });

  it('shows the same change in a rerun as already accepted, by whom and in which run; a changed byte is a new change', async () => {
    const { runId: first } = await requested('rerun');
    assert.ok((await approve(first, { visual: { accept: 'all' } })).ok);
    const { runId: again } = await requested('rerun-2');
    const items = await loadVisualReview(seed.store, (await seed.store.getRun(again))!, read);
    assert.deepEqual(
      items.map((item) => [item.alreadyAccepted?.approver, item.alreadyAccepted?.runId]),
      [
        ['ana', first],
        ['ana', first],
      ],
    );
    assert.equal((await approve(again)).ok, true, 'a change accepted before needed deciding again');

    const { runId: changed } = await requested('rerun-3');
    const unit = (await seed.store.getUnits(changed)).find((u) => u.project === 'firefox')!;
    const actual = join(seed.artifactsDir, unit.visual![0]!.actual);
    const bytes = await readFile(actual);
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(actual, bytes);
    const refused = await approve(changed);
    assert.match(
      !refused.ok ? refused.reason : '',
      /^1 screenshot change has no decision yet \(\[firefox\] looks right/,
    );
  });

  it('one rejected change rejects the release, with that change as the reason', async () => {
    const { runId } = await requested('reject');
    const run = (await seed.store.getRun(runId))!;
    const [, firefox] = await loadVisualReview(seed.store, run, read);
    const result = await decideVisual(
      { runId, approver: 'ben', comment: 'the logo is cut off', visual: { reject: [firefox!.fingerprint] } },
      { store: seed.store, settings, images: read },
    );
    assert.ok(result.ok, !result.ok ? result.reason : '');
    const view = await loadApproval(seed.store, runId);
    assert.equal(view.state, 'rejected');
    assert.match(
      view.decided?.comment ?? '',
      /^screenshot change rejected: \[firefox\] looks right \(tests\/home\.spec\.ts-snapshots\/look-firefox-linux\.png\)/,
    );
  });

  it('decides one change at a time from the run page, leaving the request pending', async () => {
    const { runId } = await requested('cells');
    const [chromium] = await loadVisualReview(seed.store, (await seed.store.getRun(runId))!, read);
    const result = await decideVisual(
      { runId, approver: 'ben', comment: '', visual: { accept: [chromium!.fingerprint] } },
      { store: seed.store, settings, images: read },
    );
    assert.ok(result.ok, !result.ok ? result.reason : '');
    assert.equal(result.view.state, 'pending');
    assert.deepEqual(
      result.view.visual?.map((item) => item.decided?.decision ?? 'undecided'),
      ['accepted', 'undecided'],
    );
    const stranger = await decideVisual(
      { runId, approver: 'mallory', comment: '', visual: { accept: 'all' } },
      { store: seed.store, settings, images: read },
    );
    assert.deepEqual(stranger.ok ? 'accepted' : stranger.status, 403);
  });

  it('decides nothing where the run’s images cannot be read (fails closed)', async () => {
    const { runId } = await requested('closed');
    const result = await decide(
      { runId, approver: 'ana', decision: 'approved', comment: 'looks fine', visual: { accept: 'all' } },
      { store: seed.store, settings },
    );
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /cannot read the run's screenshots/);
    assert.equal((await loadApproval(seed.store, runId)).state, 'pending');
  });
});
