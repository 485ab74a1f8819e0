// The whole release flow on one machine, with the repository's own sample site and @smoke tests,
// as one sequence of releases on one production: a broken first release (nothing to roll back
// to), a healthy one approved from another process that fixes forward over it and is judged only
// by its own smoke runs, a broken one the alarm rolls back to it, and a healthy one after that.
// Four real `uigate pipeline --local` runs, each building on the last.
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
  let broken: { runId: string };
  let first: { runId: string; healthy: boolean };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'uigate-pipeline-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('keeps a broken first release live when nothing verified came before it (exit 1)', async () => {
    const result = await pipeline('--break-after-promote');
    assert.equal(result.code, 1, result.stderr);
    broken = JSON.parse(result.stdout);
    assert.match(result.stderr, /▸ pre-flight: nothing live yet — this is the first release/);
    assert.equal(JSON.parse(result.stdout).restored, undefined, 'nothing verified to roll back to: it stays live');
    assert.deepEqual(await releasesOf(home), { [broken.runId]: 'failed' });
    // Told in words, where the team is (the terminal here, the channel in AWS).
    assert.match(result.stderr, new RegExp(`🔔 release ${broken.runId} promoted to local:`));
    assert.match(
      result.stderr,
      new RegExp(
        `🔔 release ${broken.runId} failed its bake on local:\\S+, and stays live: nothing verified to roll back to`,
      ),
    );
  });

  it('waits for an approval from another process, then fixes forward and keeps the healthy release on its own smoke runs (exit 0)', async () => {
    assert.ok(broken, 'needs the broken release first');
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
    // Its pre-flight probes the broken production (a failing datapoint in the alarm's window) right
    // before it goes live; that datapoint must not fail it.
    assert.match(stderr, /production is failing now \(1 of \d+ smoke tests failed\): promoting \S+ fixes forward/);
    assert.match(stderr, /▸ promoted and healthy/);
    assert.match(
      stderr,
      new RegExp(
        `🔔 release ${first.runId} promoted to local:\\S+\\n(   .*\\n)*   release: ${first.runId} \\(was ${broken.runId}\\)`,
      ),
    );
    assert.match(stderr, new RegExp(`🔔 release ${first.runId} verified on local:\\S+\\n(   .*\\n)*   baked: \\d+s`));
    assert.deepEqual(await releasesOf(home), { [broken.runId]: 'failed', [first.runId]: 'verified' });
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
    assert.match(
      result.stderr,
      new RegExp(
        `🔔 rolled back local:\\S+ to ${first.runId}\\n(   .*\\n)*   alarm: uigate-smoke-failures\\n   fault to restore: \\d+s`,
      ),
    );
    // The pipeline's own story, through the same watcher as in AWS: each transition once, in order.
    const told = [
      '🔔 pipeline uigate-local started\n',
      '🔔 uigate-local: Build done, Test starting\n',
      '🔔 uigate-local: Test done, Approval starting\n',
      '🔔 uigate-local: Approval done, Production starting\n',
      '🔔 pipeline uigate-local failed in Production: deployment failed\n',
    ].map((line) => result.stderr.indexOf(line));
    assert.ok(
      told.every((at, i) => at >= 0 && (i === 0 || at > told[i - 1]!)),
      `${told}\n${result.stderr}`,
    );
    assert.match(result.stderr, new RegExp(`   reason: deployment failed: rolled back to ${first.runId}\n`));
    assert.match(result.stderr, / {3}stages: Build ✓ · Test ✓ · Approval ✓ · Production ✗\n/);
    // Two whole runs of these projects before it: the start says when it should be done.
    assert.match(
      result.stderr,
      new RegExp(`🔔 run ${outcome.runId} started\\n(   .*\\n)*   expected finish: \\d\\d:\\d\\d UTC`),
    );

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
      assert.deepEqual(releases, { [broken.runId]: 'failed', [first.runId]: 'verified', [outcome.runId]: 'failed' });
    } finally {
      await store.close();
    }
  });

  it('keeps the next healthy release after a rolled-back one (good → broken → good)', async () => {
    const healthy = await pipeline();
    assert.equal(healthy.code, 0, healthy.stderr);
    const outcome = JSON.parse(healthy.stdout);
    assert.equal(outcome.healthy, true);
    assert.match(
      healthy.stderr,
      new RegExp(`🔔 pipeline uigate-local succeeded\\n(   .*\\n)*   deployed: release ${outcome.runId}`),
    );
    const releases = await releasesOf(home);
    assert.equal(releases[outcome.runId], 'verified');
    assert.equal(await readlink(join(home, 'production', 'current')), join('releases', outcome.runId));
  });
});
