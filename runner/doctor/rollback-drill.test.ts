import assert from 'node:assert/strict';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3Client } from '../artifacts/s3-artifacts.ts';
import { localS3, type LocalS3 } from '../testing/s3.ts';
import { S3SiteTarget } from '../verify/s3-site-target.ts';
import { rollbackDrillCheck } from './rollback-drill.ts';
import type { ReleaseRecord } from '../core/model.ts';

/**
 * The site's front: a CDN over the bucket. `keep` holds what it served, as CachingOptimized keeps
 * objects without Cache-Control for 24 h; without it every request goes back to the bucket, as
 * uigate's WebSite (default TTL 0) revalidates. A missing object is 403, as S3 answers OAC.
 */
async function front(s3: LocalS3, keep: boolean) {
  const client = s3Client({ endpoint: s3.endpoint });
  const cache = new Map<string, Buffer>();
  const server: Server = createServer(async (req, res) => {
    const key = decodeURIComponent(req.url!.slice(1)) || 'index.html';
    const cached = keep ? cache.get(key) : undefined;
    if (cached) return res.writeHead(200).end(cached);
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      const body = Buffer.from(await object.Body!.transformToByteArray());
      cache.set(key, body);
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(403).end('AccessDenied');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      client.destroy();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('uigate doctor: a rollback drill through the site’s CDN', () => {
  const releases: ReleaseRecord[] = [];
  const store = { listReleases: async () => releases.slice(0, 1) };
  let s3: LocalS3;
  let target: S3SiteTarget;
  let dir: string;

  before(async () => {
    s3 = await localS3('test-site');
    target = new S3SiteTarget(s3Client({ endpoint: s3.endpoint }), s3.bucket);
    dir = await mkdtemp(join(tmpdir(), 'uigate-drill-'));
    await writeFile(join(dir, 'index.html'), '<h1>shop</h1>');
    await target.stage('r1', dir);
    await target.publish('r1');
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes when the rolled-back file is gone through the same URL, and leaves the site as it was', async () => {
    const cdn = await front(s3, false);
    try {
      const outcome = await rollbackDrillCheck({ target, url: cdn.url, store }).run();
      assert.equal(outcome.status, 'pass', outcome.detail);
      assert.match(outcome.detail, /rolled back, and the site stopped serving it \(403\)/);
    } finally {
      await cdn.close();
    }
    assert.equal(await target.live(), 'r1');
    assert.deepEqual((await s3.keys()).sort(), ['index.html', 'releases/live.json', 'releases/r1/index.html']);
  });

  it('fails, naming the cache, when the CDN keeps serving the release that was rolled back', async () => {
    const cdn = await front(s3, true);
    try {
      const outcome = await rollbackDrillCheck({ target, url: cdn.url, store }).run();
      assert.equal(outcome.status, 'fail');
      assert.match(outcome.detail, /rolled back to r1, yet .*uigate-doctor-.*\.txt still serves the drill release/);
      assert.match(outcome.fix!, /default TTL of 0/);
    } finally {
      await cdn.close();
    }
    assert.equal(await target.live(), 'r1', 'the drill never stays live');
    assert.equal((await s3.keys('releases/doctor-')).length, 0, 'and its files are deleted');
  });

  it('does not drill while a release is being baked on the site', async () => {
    releases.unshift({
      target: target.name,
      releaseId: 'r2',
      runId: '20261129T120000000Z-abcd',
      status: 'promoted',
      promotedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    try {
      const outcome = await rollbackDrillCheck({ target, url: 'http://127.0.0.1:9', store }).run();
      assert.equal(outcome.status, 'skip');
      assert.match(outcome.detail, /release r2 is being baked on s3:\/\/test-site/);
    } finally {
      releases.shift();
    }
    assert.equal((await s3.keys('releases/doctor-')).length, 0);
  });

  it('fails when the URL is not the site of that bucket', async () => {
    const other = await localS3('other-site');
    const cdn = await front(other, false);
    try {
      const outcome = await rollbackDrillCheck({ target, url: cdn.url, store }).run();
      assert.equal(outcome.status, 'fail');
      assert.match(outcome.fix!, /does not serve s3:\/\/test-site/);
    } finally {
      await cdn.close();
      await other.close();
    }
    assert.equal(await target.live(), 'r1');
  });
});
