// Failed screenshot comparisons as Playwright makes them, in chromium and firefox, recorded by
// uigate's reporter: a missing baseline, a changed page, a change beside another failure — only
// the first two visual-only — then `uigate baselines --write` and a run that passes; and a
// screenshot that never settles, which is no visual change.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openEmbeddedStore } from '../store/open-store.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { visualChangesOf } from './visual-changes.ts';

const PAGE = (colour: string) =>
  `<body style="margin:0"><div style="width:120px;height:60px;background:${colour}">Tea</div></body>`;

const SPEC = `import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
const page = () => readFileSync(new URL('../page.html', import.meta.url), 'utf8');
test('looks right', async ({ page: tab }) => {
  await tab.setContent(page());
  await expect(tab).toHaveScreenshot('offer.png');
});
test('looks right and counts', async ({ page: tab }) => {
  await tab.setContent(page());
  await expect.soft(tab).toHaveScreenshot('counted.png');
  expect(1 + 1).toBe(3);
});
`;

describe('failed screenshot comparisons, through uigate run and uigate baselines', () => {
  let project: FixtureProject;
  const env = () => ({ env: { UIGATE_HOME: join(project.dir, '.uigate') } });

  before(async () => {
    project = await fixtureProject({ 'look.spec.ts': SPEC }, { projects: ['chromium', 'firefox'] });
    await project.write('page.html', PAGE('rgb(20, 120, 40)'));
    // Screenshot changes go to the approval; the two units that also fail otherwise are allowed.
    await project.write(
      'uigate.config.ts',
      `export default { gate: { visualReview: true, maxFailures: 2 }, approval: { approvers: ['ana'], authorMayApprove: true } };\n`,
    );
  });
  after(() => project?.remove());

  /** One uigate run: its units by "project › title". */
  async function run() {
    const result = await project.uigate(['run', '--json', '--no-serve', '--workers', '2'], env());
    const { runId } = JSON.parse(result.stdout) as { runId: string };
    const { store } = await openEmbeddedStore(join(project.dir, '.uigate', 'dynamodb'));
    try {
      const units = await store.getUnits(runId);
      return {
        code: result.code,
        runId,
        units: new Map(units.map((u) => [`${u.project} › ${u.titlePath.at(-1)}`, u])),
      };
    } finally {
      await store.close();
    }
  }

  it('records new and changed screenshots on the unit, tells a visual-only failure apart, and writes them as the baselines', async () => {
    const first = await run();
    assert.equal(first.code, 1, 'a missing baseline fails, as in Playwright');
    for (const browser of ['chromium', 'firefox']) {
      const unit = first.units.get(`${browser} › looks right`)!;
      assert.equal(unit.status, 'failed');
      assert.deepEqual(
        unit.visual?.map((c) => [c.kind, c.baseline]),
        [['new', `tests/look.spec.ts-snapshots/offer-${browser}-linux.png`]],
      );
      assert.equal(unit.visualOnly, true);
    }

    await project.write('page.html', PAGE('rgb(200, 30, 30)'));
    const changed = await run();
    for (const browser of ['chromium', 'firefox']) {
      const unit = changed.units.get(`${browser} › looks right`)!;
      const [change] = unit.visual ?? [];
      assert.equal(change?.kind, 'changed', JSON.stringify(unit.error));
      assert.ok(change!.pixels! > 0 && change!.ratio! > 0, JSON.stringify(change));
      for (const key of [change!.expected, change!.actual, change!.diff])
        assert.ok(existsSync(join(project.dir, '.uigate', 'artifacts', key!)), `${key} kept in the artifacts`);
      assert.equal(unit.visualOnly, true);
      const mixed = changed.units.get(`${browser} › looks right and counts`)!;
      assert.equal(mixed.visual?.length, 1, 'the comparison is still a change');
      assert.equal(mixed.visualOnly, undefined, 'but the unit also failed for another reason');
    }

    await reviewInTheApproval(changed.runId);
    const dry = await project.uigate(['baselines', '--run', changed.runId], env());
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stderr,
      /✓ tests\/look\.spec\.ts-snapshots\/offer-chromium-linux\.png \(changed, \[chromium\] looks right\): write/,
    );
    assert.match(dry.stderr, /\(nothing written: add --write\)/);
    const written = await project.uigate(['baselines', '--run', changed.runId, '--write'], env());
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stderr, /^git add tests\/look\.spec\.ts-snapshots\/\S+\.png( \S+\.png){3}$/m);

    const next = await run();
    for (const browser of ['chromium', 'firefox']) {
      assert.equal(next.units.get(`${browser} › looks right`)!.status, 'passed', 'the next run passes, no second look');
      assert.equal(
        next.units.get(`${browser} › looks right and counts`)!.visual,
        undefined,
        'only its other failure is left',
      );
    }
    const again = await project.uigate(['baselines', '--run', changed.runId, '--write'], env());
    assert.match(again.stderr, /offer-firefox-linux\.png \(changed, \[firefox\] looks right\): already there/);
  });

  /** The changed run's release: through the gate into the approval, refused until its changes are accepted. */
  async function reviewInTheApproval(runId: string) {
    const gate = await project.uigate(['gate', '--run', runId], env());
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
    assert.match(gate.stdout + gate.stderr, /✓ visual changes: 4 in chromium, firefox: decided in the approval/);
    const approve = (...extra: string[]) =>
      project.uigate(['approve', '--run', runId, '--as', 'ana', '--comment', 'the new red offer', ...extra], env());
    const refused = await approve();
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /approval refused: 4 screenshot changes have no decision yet/);
    const listed = await project.uigate(['approval', '--run', runId], env());
    assert.match(listed.stdout, /screenshot changes \(4 undecided\):/);
    assert.match(
      listed.stdout,
      /^ {4}[0-9a-f]{24} \[firefox\] looks right: changed [\d.]+ %, tests\/look\.spec\.ts-snapshots\/offer-firefox-linux\.png — undecided$/m,
    );
    const approved = await approve('--accept-visual', 'all', '--json');
    assert.equal(approved.code, 0, approved.stderr);
    const view = JSON.parse(approved.stdout) as { state: string; votes: { visualAccepted?: string[] }[] };
    assert.equal(view.state, 'approved');
    assert.equal(view.votes[0]!.visualAccepted?.length, 4, 'the approval holds the accepted set');
  }

  it('does not take a screenshot that never settles, or any other failure, for a visual change', () => {
    const timeout = visualChangesOf(
      [{ name: 'offer-actual.png', contentType: 'image/png', path: join(project.dir, 'x-actual.png') }],
      [{ message: 'Error: expect(page).toHaveScreenshot(expected) failed\n\n  Timeout 5000ms exceeded.\n' }],
      project.dir,
    );
    assert.deepEqual(timeout, { changes: [], visualOnly: false });
    assert.deepEqual(visualChangesOf([], [{ message: 'Error: expect(received).toBe(expected)' }], project.dir), {
      changes: [],
      visualOnly: false,
    });
  });
});
