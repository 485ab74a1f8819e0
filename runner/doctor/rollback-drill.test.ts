import assert from 'node:assert/strict';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3Client } from '../artifacts/s3-artifacts.ts';
import { localS3, motoS3, type LocalS3 } from '../testing/s3.ts';
import { motoMissing } from '../testing/moto.ts';
import { S3SiteTarget } from '../verify/s3-site-target.ts';
import { rollbackDrillCheck } from './rollback-drill.ts';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { promote } from '../verify/verify.ts';

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

/** The drill's S3 calls on the stand-in every machine has, and on the AWS emulator where installed. */
const BACKENDS = [
  { label: 's3rver', open: localS3, skip: undefined },
  { label: 'moto_server', open: motoS3, skip: motoMissing() },
];

for (const backend of BACKENDS)
  describe(
    `uigate doctor: a rollback drill through the site’s CDN (S3 on ${backend.label})`,
    { skip: backend.skip },
    () => {
      let seed: SeededStore;
      let store: SeededStore['store'];
      let s3: LocalS3;
      let target: S3SiteTarget;
      let dir: string;

      before(async () => {
        seed = await seededStore();
        store = seed.store;
        s3 = await backend.open('test-site');
        target = new S3SiteTarget(s3Client({ endpoint: s3.endpoint }), s3.bucket);
        dir = await mkdtemp(join(tmpdir(), 'uigate-drill-'));
        await writeFile(join(dir, 'index.html'), '<h1>shop</h1>');
        await target.stage('r1', dir);
        await target.publish('r1');
      });
      after(async () => {
        await s3.close();
        await seed.remove();
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
        const r2 = {
          target: target.name,
          releaseId: 'r2',
          runId: '20261129T120000000Z-abcd',
          status: 'promoted' as const,
          promotedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        };
        await store.putRelease(r2);
        try {
          const outcome = await rollbackDrillCheck({ target, url: 'http://127.0.0.1:9', store }).run();
          assert.equal(outcome.status, 'skip');
          assert.match(outcome.detail, /release r2 is being baked on s3:\/\/test-site/);
        } finally {
          await store.putRelease({ ...r2, status: 'failed' });
        }
        assert.equal((await s3.keys('releases/doctor-')).length, 0);
      });

      it('fails when the URL is not the site of that bucket', async () => {
        const other = await backend.open('other-site');
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

      it('does not drill while a promote or rollback holds the target', async () => {
        const held = {
          holder: 'uigate promote of r9 (ci@build, pid 1, abcd)',
          since: new Date().toISOString(),
          until: Date.now() + 60_000,
        };
        assert.equal((await store.takeLease(target.name, held, Date.now())).taken, true);
        try {
          const outcome = await rollbackDrillCheck({ target, url: 'http://127.0.0.1:9', store }).run();
          assert.equal(outcome.status, 'skip');
          assert.match(outcome.detail, /s3:\/\/test-site is being changed by uigate promote of r9/);
        } finally {
          await store.dropLease(target.name, held.holder);
        }
        assert.equal(await target.live(), 'r1');
      });

      it('makes a promote that starts mid-drill wait for it: the site ends serving what the store says is live', async () => {
        const cdn = await front(s3, false);
        const runId = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }]);
        const run = (await store.getRun(runId))!;
        const files = join(dir, 'r3');
        await mkdir(files, { recursive: true });
        await writeFile(join(files, 'index.html'), '<h1>r3</h1>');
        let promoting: Promise<unknown> | undefined;
        const fetcher: typeof fetch = async (url, init) => {
          // The drill's release is live: a pipeline's promote starts now.
          promoting ??= promote({
            store,
            target,
            release: { releaseId: runId, run },
            fromDir: files,
            actor: 'test',
            lease: { pollMs: 10 },
          });
          await new Promise((ok) => setTimeout(ok, 200));
          return fetch(url, init);
        };
        try {
          const outcome = await rollbackDrillCheck({ target, url: cdn.url, store, fetch: fetcher }).run();
          assert.equal(outcome.status, 'pass', outcome.detail);
          await promoting;
        } finally {
          await cdn.close();
        }
        const [newest] = await store.listReleases(target.name, { limit: 1 });
        assert.equal(newest!.releaseId, runId);
        assert.equal(await target.live(), runId, 'the promoted release is live, not the one the drill found');
      });
    },
  );
