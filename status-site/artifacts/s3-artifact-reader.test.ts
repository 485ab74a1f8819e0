import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3Client } from '../../runner/artifacts/s3-artifacts.ts';
import { localS3, type LocalS3 } from '../../runner/testing/s3.ts';
import { ArtifactReaders, LocalArtifactReader, type Artifact } from './artifact-reader.ts';
import { S3ArtifactReader } from './s3-artifact-reader.ts';
import { PNG } from '../testing/seed.ts';

const RUN = '20261122T185625123Z-k3f9';
const OTHER = '20261122T185625123Z-aaaa';

const text = async (artifact: Artifact | undefined) => Buffer.from(await new Response(artifact!.body).arrayBuffer());

describe('S3ArtifactReader', () => {
  let s3: LocalS3;
  let source: S3ArtifactReader;
  let dir: string;

  before(async () => {
    s3 = await localS3();
    const client = s3Client({ endpoint: s3.endpoint });
    const put = (Key: string, Body: Buffer | string, ContentType?: string) =>
      client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body, ContentType }));
    await put(`team/${RUN}/u/1-shot.png`, PNG, 'image/png');
    await put(`team/${RUN}/u/1-page.html`, '<script>alert(1)</script>', 'text/html');
    await put(`team/${OTHER}/secret.txt`, 'secret', 'text/plain');
    client.destroy();
    source = new S3ArtifactReader({ bucket: s3.bucket, prefix: 'team/', endpoint: s3.endpoint });
    dir = await mkdtemp(join(tmpdir(), 'uigate-artifacts-'));
    await mkdir(join(dir, RUN, 'local'), { recursive: true });
    await writeFile(join(dir, RUN, 'local', '1-shot.png'), 'from disk');
  });
  after(async () => {
    source.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a Lambda or CodeBuild batch’s screenshot from the bucket, under the prefix', async () => {
    const artifact = await source.get(RUN, 'u/1-shot.png');
    assert.equal(artifact?.contentType, 'image/png');
    assert.equal(artifact?.size, PNG.length);
    assert.deepEqual(await text(artifact), PNG);
  });

  it('types an artifact by its name, never by the Content-Type stored with it', async () => {
    const artifact = await source.get(RUN, 'u/1-page.html');
    assert.equal(artifact?.contentType, 'application/octet-stream');
  });

  it('answers nothing for a missing object, and refuses another run’s before asking S3', async () => {
    assert.equal(await source.get(RUN, 'u/nope.png'), undefined);
    assert.equal(await source.get(RUN, `../${OTHER}/secret.txt`), undefined);
    assert.equal(await source.get(RUN, '%2e%2e/x'), undefined);
    assert.equal(await source.get('../team', 'x'), undefined);
  });

  it('in a mixed run, finds local units’ artifacts on disk and the others’ in the bucket', async () => {
    const both = new ArtifactReaders(new LocalArtifactReader(dir), source);
    assert.equal((await text(await both.get(RUN, 'local/1-shot.png'))).toString(), 'from disk');
    assert.deepEqual(await text(await both.get(RUN, 'u/1-shot.png')), PNG);
    assert.equal(await both.get(RUN, 'u/nope.png'), undefined);
  });
});
