import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { s3Client } from './s3-artifacts.ts';

describe("the artifacts bucket's client", () => {
  it('gives stand-in credentials to a stand-in on this machine only, never to a name that begins like one', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, imds: process.env.AWS_EC2_METADATA_DISABLED };
    delete process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      const local = s3Client({ endpoint: 'http://127.0.0.1:4569', region: 'us-east-1' });
      assert.equal((await local.config.credentials()).accessKeyId, 'S3RVER');
      const foreign = s3Client({ endpoint: 'http://localhost.example.com', region: 'us-east-1' });
      const given = await foreign.config.credentials().then(
        (credentials) => credentials.accessKeyId,
        () => undefined,
      );
      assert.notEqual(given, 'S3RVER');
      local.destroy();
      foreign.destroy();
    } finally {
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.imds === undefined) delete process.env.AWS_EC2_METADATA_DISABLED;
      else process.env.AWS_EC2_METADATA_DISABLED = saved.imds;
    }
  });
});
