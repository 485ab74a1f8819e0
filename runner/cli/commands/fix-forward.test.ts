// Fixing forward: a healthy release promoted over a broken one is judged by its own smoke runs,
// not by the pre-flight's probe of the broken production, and becomes the release the next broken
// one rolls back to. Real `uigate pipeline --local` runs with the sample site.
import assert from 'node:assert/strict';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';
import { releasesOf } from '../../testing/stored-runs.ts';

describe('uigate pipeline --local: fixing forward', () => {
  let home: string;
  const ARGS = [
    'pipeline',
    '--local',
    '--approve',
    '-p',
    'chromium',
    '-w',
    '2',
    '--bake',
    '3s',
    '--no-serve',
    '--json',
  ];
  const env = () => ({ UIGATE_HOME: home, UIGATE_APPROVER: 'release-manager', NO_COLOR: '1' });

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'uigate-fix-forward-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('judges a healthy release over a broken one only on its own smoke runs, and rolls the next broken one back to it', async () => {
    const broken = await runNode([UIGATE_BIN, ...ARGS, '--break-after-promote'], REPO, env());
    assert.equal(broken.code, 1, broken.stderr);
    const first = JSON.parse(broken.stdout);
    assert.equal(first.restored, undefined, 'nothing verified to roll back to: the broken release stays live');

    // The fix's pre-flight probes the broken production (a failing datapoint in the alarm's window)
    // right before the fix goes live; that datapoint must not fail the fix.
    const fix = await runNode([UIGATE_BIN, ...ARGS], REPO, env());
    assert.equal(fix.code, 0, fix.stderr);
    const fixed = JSON.parse(fix.stdout);
    assert.equal(fixed.healthy, true, fix.stderr);
    assert.match(fix.stderr, /production is failing now \(1 of \d+ smoke tests failed\): promoting \S+ fixes forward/);
    assert.match(fix.stderr, /▸ promoted and healthy/);
    assert.deepEqual(await releasesOf(home), { [first.runId]: 'failed', [fixed.runId]: 'verified' });

    const again = await runNode([UIGATE_BIN, ...ARGS, '--break-after-promote'], REPO, env());
    assert.equal(again.code, 1, again.stderr);
    assert.equal(JSON.parse(again.stdout).restored, fixed.runId);
    assert.equal(await readlink(join(home, 'production', 'current')), join('releases', fixed.runId));
  });
});
