import assert from 'node:assert/strict';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { startLambdaControlPlane, type LambdaControlPlane } from '../testing/lambda-control-plane.ts';
import { siteDigest } from './digest.ts';
import { releaseFolder as folder } from '../testing/release-folder.ts';
import { aliasReleases } from '../testing/alias-releases.ts';
import { LambdaAliasTarget } from './lambda-alias-target.ts';
import { zipFolder } from './zip-folder.ts';

const unzip = (args: string[]) => execFileSync('unzip', args, { encoding: 'utf8' });

describe('a folder as the zip Lambda takes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-zip-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('holds exactly the digested files, byte for byte, with their modes, as Info-ZIP reads it', async () => {
    const fn = await folder(join(dir, 'fn'), {
      'index.mjs': 'export const handler = async () => ({ statusCode: 200, body: "v1" });',
      'lib/ünïcode name.js': 'module.exports = 1;',
      'bin/tool': '#!/bin/sh\necho hi\n',
      'empty.txt': '',
    });
    await chmod(join(fn, 'bin/tool'), 0o755);
    await symlink(join(fn, 'index.mjs'), join(fn, 'link.mjs'));
    // A link is refused, not left out: the digest and the zip would otherwise disagree with the folder.
    await assert.rejects(zipFolder(fn), /link\.mjs is a symbolic link: a release is its regular files only/);
    await rm(join(fn, 'link.mjs'));
    const zip = await zipFolder(fn);
    await writeFile(join(dir, 'fn.zip'), zip);
    assert.match(unzip(['-t', join(dir, 'fn.zip')]), /No errors detected/);
    assert.deepEqual(
      unzip(['-Z1', join(dir, 'fn.zip')])
        .trim()
        .split('\n')
        .sort(),
      ['bin/tool', 'empty.txt', 'index.mjs', 'lib/ünïcode name.js'],
    );
    const out = join(dir, 'out');
    unzip(['-q', join(dir, 'fn.zip'), '-d', out]);
    assert.equal(await siteDigest(out), await siteDigest(fn));
    assert.equal((await stat(join(out, 'bin/tool'))).mode & 0o777, 0o755);
    assert.equal((await stat(join(out, 'index.mjs'))).mode & 0o777, 0o644);
  });

  it('gives the same bytes for the same files, whenever they were written', async () => {
    const a = await folder(join(dir, 'a'), { 'x.js': 'same', 'y/z.js': 'also' });
    const first = await zipFolder(a);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = await folder(join(dir, 'b'), { 'y/z.js': 'also', 'x.js': 'same' });
    assert.ok(first.equals(await zipFolder(b)));
    await writeFile(join(b, 'x.js'), 'changed');
    assert.ok(!first.equals(await zipFolder(b)));
  });
});

describe('a Lambda alias as production', () => {
  let dir: string;
  let plane: LambdaControlPlane;
  let seed: SeededStore;
  const client = () =>
    new LambdaClient({
      region: 'eu-west-1',
      endpoint: plane.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  const target = (options = {}) => new LambdaAliasTarget(client(), 'shop-api', 'live', { pollMs: 1, ...options });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-lambda-alias-'));
    seed = await seededStore();
  });
  after(async () => {
    await seed.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads the folder, waits out the update, publishes that upload as a version and names it', async () => {
    plane = await startLambdaControlPlane('shop-api', 'live', Buffer.from('placeholder'));
    try {
      const fn = await folder(join(dir, 'r1'), { 'index.mjs': 'export const handler = () => "r1";' });
      const version = await target().stage('20261129T180000000Z-aaaa', fn);
      assert.equal(version, '2');
      assert.ok(plane.versions[1]!.zip.equals(await zipFolder(fn)));
      assert.equal(plane.versions[1]!.description, 'uigate release 20261129T180000000Z-aaaa');
      // The update was in progress after the upload: the version was published only once it settled.
      const upload = plane.calls.indexOf('PUT /2015-03-31/functions/shop-api/code');
      assert.deepEqual(plane.calls.slice(upload + 1), [
        'GET /2015-03-31/functions/shop-api/configuration',
        'GET /2015-03-31/functions/shop-api/configuration',
        'POST /2015-03-31/functions/shop-api/versions',
      ]);
      assert.equal(plane.alias(), '1', 'staging makes nothing live');
      await target().publish(version);
      assert.equal(await target().live(), '2');
      // The same code again (a re-run of the Deploy action) is the same version, not a new one.
      assert.equal(await target().stage('20261129T180000000Z-aaaa', fn), '2');
      assert.equal(plane.versions.length, 2);
    } finally {
      await plane.close();
    }
  });

  it('never publishes code someone else uploaded in between, and refuses a zip Lambda would refuse', async () => {
    plane = await startLambdaControlPlane('shop-api', 'live', Buffer.from('placeholder'));
    try {
      const fn = await folder(join(dir, 'r2'), { 'index.mjs': 'export const handler = () => "r2";' });
      plane.interfereAfterNextUpload(Buffer.from('someone else'));
      await assert.rejects(target().stage('r2', fn), /CodeSha256 does not match/);
      assert.equal(plane.versions.length, 1);
      assert.equal(plane.alias(), '1');

      const before = plane.calls.length;
      await assert.rejects(target({ uploadLimit: 10 }).stage('r2', fn), /zips to 0\.0 MB; Lambda takes at most 0 MB/);
      assert.equal(plane.calls.length, before, 'nothing was sent');
      await assert.rejects(target().publish('$LATEST'), /published version number/);
    } finally {
      await plane.close();
    }
  });

  it('promotes by version, and a failed bake points the alias back at the last version that passed its own', async () => {
    plane = await startLambdaControlPlane('shop-api', 'live', Buffer.from('placeholder'));
    try {
      const good = await seedRun(seed, [{ file: 'a.spec.ts', title: 'a', status: 'passed' }]);
      const bad = await seedRun(seed, [{ file: 'a.spec.ts', title: 'a', status: 'passed' }]);
      const { release, bake } = aliasReleases(seed, dir, target);

      const first = await release(good, 'export const handler = () => "good";');
      assert.deepEqual({ ...first, promotedAt: undefined }, { releaseId: '2', previous: '1', promotedAt: undefined });
      assert.equal((await bake(good, '2', 'OK')).healthy, true);
      const second = await release(bad, 'export const handler = () => { throw new Error("bad"); };');
      assert.deepEqual({ ...second, promotedAt: undefined }, { releaseId: '3', previous: '2', promotedAt: undefined });
      const result = await bake(bad, '3', 'ALARM');
      assert.equal(result.healthy, false);
      assert.equal(!result.healthy && result.restored, '2');
      assert.equal(plane.alias(), '2');
      const releases = await seed.store.listReleases('lambda:shop-api:live');
      assert.deepEqual(releases.map((r) => [r.releaseId, r.runId, r.status]).sort(), [
        ['2', good, 'verified'],
        ['3', bad, 'failed'],
      ]);
    } finally {
      await plane.close();
    }
  });
});
