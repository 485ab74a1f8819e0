// `uigate promote` and `uigate verify` on a site in S3 behind CloudFront, both as moto_server
// implements them: each file is stored with the Cache-Control that lets the edge keep hashed
// assets and revalidate entry documents, the server-side copy that publishes keeps it, and every
// promotion and rollback invalidates the entry paths that changed — and waits for it.
import assert from 'node:assert/strict';
import {
  CloudFrontClient,
  CreateDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, type SeededStore } from '../../../status-site/testing/seed.ts';
import { approvedRun } from '../../testing/approved-run.ts';
import { runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';
import { motoMissing, startMoto, type Moto } from '../../testing/moto.ts';
import { recordRelease } from '../../verify/releases.ts';

const skip = motoMissing();
const TARGET = 's3://shop-site';

describe('promotion and rollback behind CloudFront (S3 and CloudFront on moto_server)', { skip }, () => {
  let moto: Moto;
  let seed: SeededStore;
  let s3: S3Client;
  let cloudfront: CloudFrontClient;
  let distribution: string;
  const folders: Record<string, string> = {};
  const cli = (args: string[]) =>
    runNode([UIGATE_BIN, ...args], seed.dir, {
      UIGATE_HOME: seed.dir,
      UIGATE_S3_ENDPOINT: moto.endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: moto.endpoint,
      ...moto.env,
      // Nothing answers here: a bake that cannot watch fails, and rolls back.
      UIGATE_CLOUDWATCH_ENDPOINT: 'http://127.0.0.1:9',
    });

  const release = async (name: string, files: Record<string, string>) => {
    const dir = join(seed.dir, 'build', name);
    for (const [file, body] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), body);
    }
    const runId = await approvedRun(seed, dir);
    folders[runId] = dir;
    return runId;
  };
  const head = (key: string) => s3.send(new HeadObjectCommand({ Bucket: 'shop-site', Key: key }));
  const body = async (key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: 'shop-site', Key: key }))).Body!.transformToString();
  /** Each invalidation's paths, oldest first, every one of them complete. */
  const invalidations = async () => {
    const list = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: distribution }));
    const batches = [];
    for (const { Id } of [...(list.InvalidationList?.Items ?? [])].reverse()) {
      const { Invalidation } = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distribution, Id: Id! }),
      );
      assert.equal(Invalidation!.Status!.toLowerCase(), 'completed');
      batches.push([...Invalidation!.InvalidationBatch!.Paths!.Items!].sort());
    }
    return batches;
  };

  before(async () => {
    moto = await startMoto();
    seed = await seededStore();
    s3 = new S3Client({ ...moto.client, forcePathStyle: true });
    cloudfront = new CloudFrontClient(moto.client);
    await s3.send(new CreateBucketCommand({ Bucket: 'shop-site' }));
    const created = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: 'shop',
          Comment: 'the production site',
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              { Id: 's3', DomainName: 'shop-site.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 's3',
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          },
        },
      }),
    );
    distribution = created.Distribution!.Id!;
  });
  after(async () => {
    s3?.destroy();
    cloudfront?.destroy();
    await seed?.remove();
    await moto?.close();
  });

  it('keeps hashed assets a year, revalidates entry documents, and invalidates what changed on promote and rollback', async () => {
    const good = await release('good', {
      'index.html': '<script src="assets/app-3f9a1c2b.js"></script>good',
      'about.html': 'about us',
      'assets/app-3f9a1c2b.js': 'console.log("good")',
    });
    const bad = await release('bad', {
      'index.html': '<script src="assets/app-77ee00aa.js"></script>bad',
      'assets/app-77ee00aa.js': 'throw new Error("bad")',
    });
    const edge = ['--target', TARGET, '--invalidate', distribution];

    const first = await cli(['promote', '--release', good, ...edge, '--from', folders[good]!]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`cloudfront:${distribution}: invalidation \\w+ of 3 entry paths completed`));
    assert.equal((await head('index.html')).CacheControl, 'no-cache');
    assert.equal((await head('about.html')).CacheControl, 'no-cache');
    assert.equal((await head('assets/app-3f9a1c2b.js')).CacheControl, 'public, max-age=31536000, immutable');
    assert.deepEqual(await invalidations(), [['/', '/about.html', '/index.html']]);
    await recordRelease(seed.store, TARGET, good, (await seed.store.getRun(good))!, 'verified');

    const second = await cli(['promote', '--release', bad, ...edge, '--from', folders[bad]!]);
    assert.equal(second.code, 0, second.stderr);
    // /about.html is gone from the bucket: an edge that kept it must drop it too.
    assert.deepEqual((await invalidations())[1], ['/', '/about.html', '/index.html']);

    const baked = await cli(['verify', '--release', bad, ...edge, '--alarm', 'smoke', '--bake', '1s', '--poll', '1s']);
    assert.equal(baked.code, 3, baked.stderr);
    assert.match(baked.stderr, /rolled back: s3:\/\/shop-site serves release .* again/);
    assert.match(await body('index.html'), /good$/);
    assert.equal((await head('assets/app-3f9a1c2b.js')).CacheControl, 'public, max-age=31536000, immutable');
    assert.equal((await head('index.html')).CacheControl, 'no-cache', 'the rollback’s copy keeps it too');
    const all = await invalidations();
    assert.equal(all.length, 3, 'the rollback invalidated before the bake said it was done');
    assert.deepEqual(all[2], ['/', '/about.html', '/index.html']);
  });

  it('refuses a distribution that is not an id, and a target CloudFront does not cache, before touching anything', async () => {
    const run = await release('refused', { 'index.html': 'x' });
    const made = (await invalidations()).length;
    const domain = await cli([
      'promote',
      ...['--release', run, '--target', TARGET, '--invalidate', 'd111111abcdef8.cloudfront.net'],
      ...['--from', folders[run]!],
    ]);
    assert.equal(domain.code, 2);
    assert.match(domain.stderr, /--invalidate "d111111abcdef8.cloudfront.net" is not a CloudFront distribution id/);
    const lambda = await cli([
      'promote',
      ...['--release', run, '--target', 'lambda:shop-api:live', '--invalidate', distribution],
      ...['--from', folders[run]!],
    ]);
    assert.equal(lambda.code, 2);
    assert.match(lambda.stderr, /--invalidate is for a site's files \(s3:\/\/<bucket> or command:<name>\)/);
    assert.equal((await invalidations()).length, made);
  });
});
