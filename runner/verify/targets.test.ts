import assert from 'node:assert/strict';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3Client } from '../artifacts/s3-artifacts.ts';
import { localS3, type LocalS3 } from '../testing/s3.ts';
import { releaseFolder as build } from '../testing/release-folder.ts';
import { LocalSiteTarget } from './local-site-target.ts';
import { DELETE_BATCH, S3SiteTarget } from './s3-site-target.ts';

describe('production targets', () => {
  let dir: string;
  let s3: LocalS3;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-targets-'));
    s3 = await localS3('production-site');
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('S3 site: keeps each release under its prefix and points the live site back at an earlier one', async () => {
    const target = new S3SiteTarget(s3Client({ endpoint: s3.endpoint }), s3.bucket);
    await target.stage('r1', await build(join(dir, 'r1'), { 'index.html': 'v1', 'old.html': 'only in v1' }));
    await target.publish('r1');
    await target.stage('r2', await build(join(dir, 'r2'), { 'index.html': 'v2', 'css/site.css': 'body{}' }));
    await target.publish('r2');
    assert.equal(await target.live(), 'r2');
    assert.equal((await s3.read('index.html')).toString(), 'v2');
    assert.deepEqual(
      (await s3.keys()).filter((k) => !k.startsWith('releases/')).sort(),
      ['css/site.css', 'index.html'],
      'files of other releases are gone from the live site',
    );

    await target.publish('r1');
    assert.equal(await target.live(), 'r1');
    assert.equal((await s3.read('index.html')).toString(), 'v1');
    assert.deepEqual((await s3.keys()).filter((k) => !k.startsWith('releases/')).sort(), ['index.html', 'old.html']);
    assert.ok((await s3.keys('releases/r2/')).includes('releases/r2/index.html'), 'the failed release is kept');
    await assert.rejects(
      target.publish('never-staged'),
      /release never-staged is not staged in s3:\/\/production-site/,
    );
  });

  it('S3 site: deletes old files in requests of at most the batch (S3 takes 1,000), and stores each type right', async () => {
    assert.equal(DELETE_BATCH, 1_000, 'S3 API reference, DeleteObjects: up to 1,000 keys a request');
    const client = s3Client({ endpoint: s3.endpoint });
    const sizes: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectsCommand')
          sizes.push((args.input as { Delete: { Objects: unknown[] } }).Delete.Objects.length);
        return next(args);
      },
      { step: 'initialize' },
    );
    // s3rver cannot page a listing past 1,000 keys on this Node (its continuation token needs DES,
    // which OpenSSL 3 no longer has), so the batch is made small instead of the bucket large.
    const target = new S3SiteTarget(client, s3.bucket, 4);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`pages/${i}.html`, `${i}`]));
    await target.stage('big', await build(join(dir, 'big'), { 'index.html': 'big', ...many }));
    await target.publish('big');
    await target.stage(
      'small',
      await build(join(dir, 'small'), { 'index.html': 'small', 'app.mjs': 'export {}', 'f.woff2': 'w' }),
    );
    await target.publish('small');
    assert.deepEqual(sizes.slice(-3), [4, 4, 1]);
    assert.deepEqual((await s3.keys()).filter((k) => !k.startsWith('releases/')).sort(), [
      'app.mjs',
      'f.woff2',
      'index.html',
    ]);
    const typeOf = async (Key: string) =>
      (await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key }))).ContentType;
    assert.equal(await typeOf('releases/small/app.mjs'), 'text/javascript; charset=utf-8');
    assert.equal(await typeOf('releases/small/f.woff2'), 'font/woff2');
  });

  it('local site: switches the live folder atomically between kept releases', async () => {
    const target = new LocalSiteTarget(join(dir, 'prod'));
    assert.equal(await target.live(), undefined);
    await target.stage('a', await build(join(dir, 'a'), { 'index.html': 'A' }));
    await target.stage('b', await build(join(dir, 'b'), { 'index.html': 'B' }));
    await target.publish('b');
    await target.publish('a');
    assert.equal(await target.live(), 'a');
    await assert.rejects(target.stage('../escape', dir), /not a safe folder name/);
  });
});
