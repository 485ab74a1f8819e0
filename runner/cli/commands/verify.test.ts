import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../../status-site/testing/seed.ts';
import { openRequest, decide } from '../../gate/approvals.ts';
import { resolveConfig } from '../../config/config.ts';
import { siteDigest } from '../../verify/digest.ts';
import { runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';

describe('uigate promote and uigate verify on the command line', () => {
  let seed: SeededStore;
  let site: string;
  let approved: string;
  let pending: string;
  let unbound: string;
  const cli = (args: string[]) => runNode([UIGATE_BIN, ...args], seed.dir, { UIGATE_HOME: seed.dir });

  before(async () => {
    seed = await seededStore();
    site = await mkdtemp(join(seed.dir, 'site-'));
    await writeFile(join(site, 'index.html'), '<h1>release</h1>');
    const settings = resolveConfig({ approval: { approvers: ['ana'] } }, seed.dir, {}).approval;
    const digest = await siteDigest(site);
    approved = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }], {
      artifactDigest: digest,
    });
    pending = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }], {
      artifactDigest: digest,
      branch: 'feature',
    });
    // Approved, but run without UIGATE_ARTIFACT_DIGEST: bound to no artifact.
    unbound = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }], { branch: 'loose' });
    for (const runId of [approved, pending, unbound])
      await openRequest({
        store: seed.store,
        run: (await seed.store.getRun(runId))!,
        gate: { passed: true, rules: [] },
        settings,
        actor: 'test',
      });
    for (const runId of [approved, unbound])
      assert.ok(
        (await decide({ runId, approver: 'ana', decision: 'approved', comment: 'ok' }, { store: seed.store, settings }))
          .ok,
      );
  });
  after(() => seed.remove());

  it('promotes only an approved run, and only the artifact it was approved for', async () => {
    const notApproved = await cli(['promote', '--release', pending, '--target', 'local:prod', '--from', site]);
    assert.equal(notApproved.code, 2);
    assert.match(notApproved.stderr, /is not approved \(approval: pending\); nothing is promoted/);

    const other = join(seed.dir, 'other');
    await mkdir(other);
    await writeFile(join(other, 'index.html'), '<h1>something else</h1>');
    const wrongArtifact = await cli(['promote', '--release', approved, '--target', 'local:prod', '--from', other]);
    assert.equal(wrongArtifact.code, 2);
    assert.match(wrongArtifact.stderr, /is not the artifact run \S+ was approved for/);

    const noDigest = await cli(['promote', '--release', unbound, '--target', 'local:prod', '--from', site]);
    assert.equal(noDigest.code, 2);
    assert.match(noDigest.stderr, /was approved without an artifact digest .* nothing is promoted/);

    const ok = await cli(['promote', '--release', approved, '--target', 'local:prod', '--from', site]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await readlink(join(seed.dir, 'prod', 'current')), join('releases', approved));
    assert.deepEqual((await seed.store.listEvents(approved)).filter((e) => e.type === 'promoted').length, 1);
  });

  it('says what is wrong with a verify command line, in one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['verify', '--release', approved, '--target', 'local:prod'], /name the alarms to watch: --alarm <name>/],
      [
        ['verify', '--release', approved, '--target', 'local:prod', '--alarm', 'a', '--bake', 'ten minutes'],
        /--bake takes a duration such as 30s, 10m or 1h/,
      ],
      [
        ['verify', '--release', approved, '--target', 'ftp://x', '--alarm', 'a'],
        /--target "ftp:\/\/x" is not a production target/,
      ],
      [['verify', '--release', approved, '--alarm', 'a'], /--target is required to roll back/],
      [['verify', '--release', 'nope', '--alarm', 'a'], /malformed run id "nope"/],
      [
        ['verify', '--release', approved, '--target', 'local:prod', '--alarm', 'a', '--insufficient-data', 'maybe'],
        /--insufficient-data takes breach or ok/,
      ],
      [
        ['verify', '--preflight', '--release', approved, '--alarm', 'a', '--preflight-wait', 'a while'],
        /--preflight-wait takes a duration such as 30s, 10m or 1h/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  it('refuses to bake a release that is not the one live', async () => {
    const result = await cli([
      'verify',
      '--release',
      pending,
      '--target',
      'local:prod',
      '--alarm',
      'a',
      '--bake',
      '1s',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`serves ${approved}, not release ${pending}: verify what was promoted`));
  });

  after(() => rm(site, { recursive: true, force: true }));
});
