// The whole release flow on one machine, both ways, with the repository's own sample site and
// @smoke tests: a healthy release approved from another process, then a release broken after
// promotion that the alarm catches and rolls back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openEmbeddedStore } from '../../store/open-store.ts';
import { serveStatic } from '../pipeline/static-server.ts';
import { REPO, runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';

describe('uigate pipeline --local', () => {
  let home: string;
  const env = () => ({ ...process.env, UIGATE_HOME: home, UIGATE_APPROVER: 'release-manager', NO_COLOR: '1' });
  // The whole suite, as the gate requires, in the one browser it requires.
  const ARGS = ['pipeline', '--local', '-p', 'chromium', '-w', '2', '--bake', '3s', '--no-serve', '--json'];
  let first: { runId: string; healthy: boolean };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'uigate-pipeline-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('waits for an approval from another process, then promotes and keeps a healthy release (exit 0)', async () => {
    const child = spawn(process.execPath, [UIGATE_BIN, ...ARGS], { cwd: REPO, env: env() });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const approved = new Promise<void>((ok, fail) => {
      child.stderr.on('data', async (chunk) => {
        stderr += chunk;
        const waiting = /waiting for approval: run (\S+)/.exec(stderr);
        if (!waiting || stderr.includes('[approving]')) return;
        stderr += '[approving]';
        const result = await runNode(
          [UIGATE_BIN, 'approve', '--run', waiting[1]!, '--comment', 'smoke matrix green'],
          REPO,
          { UIGATE_HOME: home, UIGATE_APPROVER: 'release-manager' },
        );
        if (result.code === 0) ok();
        else fail(new Error(result.stderr));
      });
    });
    const code = await new Promise<number>((ok) => child.on('close', (c) => ok(c ?? -1)));
    await approved;
    assert.equal(code, 0, stderr);
    first = JSON.parse(stdout);
    assert.equal(first.healthy, true);
    assert.match(stderr, /▸ gate: PASSED/);
    assert.match(stderr, /▸ promoted and healthy/);
    assert.equal(await readlink(join(home, 'production', 'current')), join('releases', first.runId));
  });

  it('rolls a release broken after promotion back to the previous one when the smoke alarm fires (exit 1)', async () => {
    assert.ok(first, 'needs the healthy release first');
    const result = await runNode([UIGATE_BIN, ...ARGS, '--approve', '--break-after-promote'], REPO, {
      UIGATE_HOME: home,
      UIGATE_APPROVER: 'release-manager',
      NO_COLOR: '1',
    });
    assert.equal(result.code, 1, result.stderr);
    const outcome = JSON.parse(result.stdout);
    assert.equal(outcome.healthy, false);
    assert.equal(outcome.restored, first.runId);
    assert.ok(outcome.faultToRestoreMs > 0);
    assert.match(result.stderr, /▸ ROLLED BACK: uigate-smoke-failures is ALARM/);

    // Production serves the previous release again — over HTTP, as a user would see it.
    assert.equal(await readlink(join(home, 'production', 'current')), join('releases', first.runId));
    const production = await serveStatic(join(home, 'production', 'current'));
    try {
      assert.match(await (await fetch(`${production.url}/button.html`)).text(), /Button was clicked/);
    } finally {
      await production.close();
    }
    assert.match(
      await readFile(join(home, 'production', 'releases', outcome.runId, 'button.html'), 'utf8'),
      /Button was broken/,
      'the bad release is kept, not deleted',
    );

    const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
    try {
      const types = (await store.listEvents(outcome.runId)).map((e) => e.type);
      const timeline = [
        'approval-requested',
        'approval-vote',
        'approval-decided',
        'preflight-passed',
        'promoted',
        'fault-injected',
        'bake-started',
        'alarm',
        'rollback-started',
        'rollback-restored',
      ];
      assert.deepEqual(
        types.filter((t) => timeline.includes(t)),
        timeline,
      );
      const releases = Object.fromEntries(
        (await store.listReleases(`local:${join(home, 'production')}`)).map((r) => [r.releaseId, r.status]),
      );
      assert.deepEqual(releases, { [first.runId]: 'verified', [outcome.runId]: 'failed' });
    } finally {
      await store.close();
    }
  });

  it('keeps the next healthy release after a rolled-back one (good → broken → good)', async () => {
    const healthy = await runNode([UIGATE_BIN, ...ARGS, '--approve'], REPO, {
      UIGATE_HOME: home,
      UIGATE_APPROVER: 'release-manager',
      NO_COLOR: '1',
    });
    assert.equal(healthy.code, 0, healthy.stderr);
    const outcome = JSON.parse(healthy.stdout);
    assert.equal(outcome.healthy, true);
    const releases = await releasesOf(home);
    assert.equal(releases[outcome.runId], 'verified');
    assert.equal(await readlink(join(home, 'production', 'current')), join('releases', outcome.runId));
  });
});

/** Each release's status on the local production target, by release id. */
async function releasesOf(home: string): Promise<Record<string, string>> {
  const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
  try {
    return Object.fromEntries(
      (await store.listReleases(`local:${join(home, 'production')}`)).map((r) => [r.releaseId, r.status]),
    );
  } finally {
    await store.close();
  }
}

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
