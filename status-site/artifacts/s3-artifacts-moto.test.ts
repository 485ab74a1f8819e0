// Artifacts through S3 as moto_server implements it: written by the executors' store
// (runner/artifacts/s3-artifacts.ts), read back by the status site (s3-artifact-reader.ts), and a
// large one handed out as a presigned URL that the emulator answers.
import assert from 'node:assert/strict';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { after, before, describe, it } from 'node:test';
import { S3Artifacts, s3Client } from '../../runner/artifacts/s3-artifacts.ts';
import { motoMissing, startMoto, type Moto } from '../../runner/testing/moto.ts';
import { S3ArtifactReader } from './s3-artifact-reader.ts';

const skip = motoMissing();
const RUN = '20261206T000000000Z-s3mo';

describe('artifacts in S3 (moto_server)', { skip }, () => {
  let moto: Moto;
  let source: S3ArtifactReader;
  let store: S3Artifacts;

  before(async () => {
    moto = await startMoto();
    const client = s3Client({ endpoint: moto.endpoint });
    await client.send(new CreateBucketCommand({ Bucket: 'shop-artifacts' }));
    client.destroy();
    const options = { bucket: 'shop-artifacts', prefix: 'ci/', endpoint: moto.endpoint };
    store = new S3Artifacts(options);
    source = new S3ArtifactReader(options);
  });
  after(async () => {
    source?.close();
    store?.close?.();
    await moto?.close();
  });

  it("stores a batch's trace under the run and the prefix, and the site reads it back by its path", async () => {
    const trace = Buffer.alloc(64 * 1024, 7);
    const key = await store.put({
      runId: RUN,
      unitKey: 'cart.spec.ts::pays::firefox',
      attempt: 1,
      name: 'trace',
      contentType: 'application/zip',
      content: { body: trace },
    });
    assert.match(key, new RegExp(`^${RUN}/`));
    const artifact = await source.get(RUN, key.slice(RUN.length + 1));
    assert.equal(artifact?.size, trace.length);
    assert.equal(artifact?.contentType, 'application/zip');
    const chunks: Uint8Array[] = [];
    for await (const chunk of artifact!.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    assert.ok(Buffer.concat(chunks).equals(trace));

    // The direct URL a large artifact is redirected to. That S3 answers with the type and
    // disposition the URL names is s3rver's to show (s3-artifact-reader.test.ts): moto_server
    // ignores response-content-type and response-content-disposition.
    const url = await artifact!.directUrl!('attachment; filename="trace.zip"');
    assert.ok(url.startsWith(`${moto.endpoint}/shop-artifacts/ci/${RUN}/`), url);
    assert.match(url, /X-Amz-Signature=/);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(trace));
  });

  it('answers nothing for an object that is not there', async () => {
    assert.equal(await source.get(RUN, 'cart.spec.ts/none.png'), undefined);
  });
});
