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
import { releasesOf } from '../../testing/stored-runs.ts';

describe('uigate pipeline --local', () => {
  let home: string;
  const env = () => ({ ...process.env, UIGATE_HOME: home, UIGATE_APPROVER: 'release-manager', NO_COLOR: '1' });
  // The whole suite, as the gate requires, in the one browser it requires.
  const ARGS = ['pipeline', '--local', '-p', 'chromium', '-w', '2', '--bake', '3s', '--no-serve', '--json'];
  /** One unattended pipeline on this home's production. */
  const pipeline = (...extra: string[]) =>
    runNode([UIGATE_BIN, ...ARGS, '--approve', ...extra], REPO, {
      UIGATE_HOME: home,
      UIGATE_APPROVER: 'release-manager',
      NO_COLOR: '1',
    });
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
    const result = await pipeline('--break-after-promote');
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
    const healthy = await pipeline();
    assert.equal(healthy.code, 0, healthy.stderr);
    const outcome = JSON.parse(healthy.stdout);
    assert.equal(outcome.healthy, true);
    const releases = await releasesOf(home);
    assert.equal(releases[outcome.runId], 'verified');
    assert.equal(await readlink(join(home, 'production', 'current')), join('releases', outcome.runId));
  });
});
