// A test bundle in the artifacts bucket, against S3 as moto_server implements it: uploaded once,
// left alone while it is fresh, and renewed in place (a server-side copy) once it is older than a
// day, so the bucket's expiry, counted from the last write, never takes a bundle a run still uses.
import assert from 'node:assert/strict';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { BUNDLE_REFRESH_MS, bundleKey, publishBundle, type TestBundle } from './test-source.ts';

const skip = motoMissing();

describe('a test bundle in the artifacts bucket (S3 on moto_server)', { skip }, () => {
  let moto: Moto;
  let s3: S3Client;
  let dir: string;
  let bundle: TestBundle;
  const bucket = () => ({ bucket: 'shop-artifacts', prefix: 'ci/', endpoint: moto.endpoint, region: 'us-east-1' });
  const head = () => s3.send(new HeadObjectCommand({ Bucket: 'shop-artifacts', Key: bundleKey('ci/', bundle.sha256) }));

  before(async () => {
    moto = await startMoto();
    for (const [name, value] of Object.entries(moto.env)) process.env[name] = value;
    s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'shop-artifacts' }));
    dir = await mkdtemp(join(tmpdir(), 'uigate-bundle-renewal-'));
    const file = join(dir, 'bundle.tgz');
    await writeFile(file, Buffer.from('a packed suite'));
    bundle = { file, sha256: 'ab'.repeat(32), bytes: 14, files: 1, packages: 0 };
  });
  after(async () => {
    s3?.destroy();
    await moto?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads a bundle once and leaves a fresh one alone', async () => {
    const source = await publishBundle(bundle, bucket());
    assert.deepEqual(source, {
      bucket: 'shop-artifacts',
      key: `ci/bundles/${'ab'.repeat(32)}.tgz`,
      sha256: bundle.sha256,
      region: 'us-east-1',
      endpoint: moto.endpoint,
    });
    const first = await head();
    assert.equal(first.Metadata?.['uigate-renewed'], undefined);
    await publishBundle(bundle, bucket(), first.LastModified!.getTime() + BUNDLE_REFRESH_MS - 60_000);
    assert.equal((await head()).Metadata?.['uigate-renewed'], undefined, 'written less than a day ago: not touched');
  });

  it('renews a bundle older than a day in place, its bytes unchanged', async () => {
    const before = await head();
    const now = before.LastModified!.getTime() + BUNDLE_REFRESH_MS + 60_000;
    await publishBundle(bundle, bucket(), now);
    const after = await head();
    assert.equal(after.Metadata?.['uigate-renewed'], new Date(now).toISOString());
    assert.equal(after.ContentType, 'application/gzip');
    const body = await s3.send(
      new GetObjectCommand({ Bucket: 'shop-artifacts', Key: bundleKey('ci/', bundle.sha256) }),
    );
    assert.equal(await body.Body!.transformToString(), 'a packed suite');
  });
});
