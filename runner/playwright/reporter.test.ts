import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openEmbeddedStore } from '../store/open-store.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';

describe('the uigate reporter in a plain `playwright test`', () => {
  let project: FixtureProject;
  before(async () => {
    project = await fixtureProject({
      'plain.spec.ts': `
import { test, expect } from '@playwright/test';
test.describe('Plain', () => {
  test('passes', async ({ page }) => {
    await page.setContent('<h1>Hi</h1>');
    await expect(page.getByRole('heading')).toHaveText('Hi');
  });
  test('fails', async () => {
    expect(2, 'two is not three').toBe(3);
  });
  test.skip('is skipped', async () => {});
});
`,
    });
  });
  after(() => project.remove());

  it('records the run and each unit as it ends, so it appears like any uigate run', async () => {
    const result = await project.playwright([], { UIGATE_REPORT: '' });
    assert.equal(result.code, 1, 'Playwright exits 1 on the failure');
    assert.match(result.stderr, /uigate: recorded run \S+: failed, 3 units/);
    const { store } = await openEmbeddedStore(join(project.dir, '.uigate', 'dynamodb'));
    try {
      const { items: runs } = await store.listRuns();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.trigger, 'npx playwright test');
      assert.deepEqual(
        runs[0]!.selection,
        { unseen: true },
        'what Playwright filtered is not visible to a reporter: never taken for the whole suite',
      );
      assert.equal(runs[0]!.status, 'failed');
      assert.deepEqual(runs[0]!.counts, { passed: 1, failed: 1, skipped: 1 });
      const units = Object.fromEntries((await store.getUnits(runs[0]!.runId)).map((u) => [u.titlePath.at(-1), u]));
      assert.equal(units.passes!.status, 'passed');
      assert.deepEqual(units.passes!.titlePath, ['Plain', 'passes']);
      assert.equal(units.fails!.status, 'failed');
      assert.match(units.fails!.error!.message, /two is not three/);
      assert.equal(units['is skipped']!.status, 'skipped');
    } finally {
      await store.close();
    }
  });

  it('records nothing on CI with the embedded store, which goes with the machine, unless asked: says so in one line', async () => {
    const quiet = join(project.dir, 'ci-home');
    const result = await project.playwright([], {
      CI: 'true',
      GITLAB_CI: 'true',
      UIGATE_REPORT: '',
      UIGATE_HOME: quiet,
    });
    assert.equal(result.code, 1, 'Playwright exits 1 on the failure, as before');
    assert.match(result.stderr, /uigate: not recording this gitlab-ci run in the embedded store.*UIGATE_REPORT=on/);
    assert.ok(!existsSync(join(quiet, 'dynamodb')), 'no store was started');
    const asked = join(project.dir, 'ci-asked');
    const on = await project.playwright([], { CI: 'true', GITLAB_CI: 'true', UIGATE_REPORT: 'on', UIGATE_HOME: asked });
    assert.match(on.stderr, /uigate: recorded run \S+: failed, 3 units/);
  });

  it('stays out of the way when UIGATE_REPORT=off', async () => {
    const dir = join(project.dir, 'off-home');
    const result = await project.playwright([], { UIGATE_REPORT: 'off', UIGATE_HOME: dir });
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /uigate: recorded run/);
    assert.equal(existsSync(dir), false, 'no store was even started');
  });
});
