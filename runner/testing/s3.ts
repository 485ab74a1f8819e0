// Test helper: an S3 API on 127.0.0.1 (s3rver) with one bucket, and a way to read back objects.
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { s3Client } from '../artifacts/s3-artifacts.ts';
import { startMoto } from './moto.ts';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  keys(prefix?: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** The same, on moto_server's S3: the emulator of AWS, where the stand-in's leniencies end. */
export async function motoS3(bucket = 'uigate-artifacts'): Promise<LocalS3> {
  const moto = await startMoto();
  const client = s3Client({ endpoint: moto.endpoint });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    ...reader(client, bucket),
    endpoint: moto.endpoint,
    bucket,
    close: async () => {
      client.destroy();
      await moto.close();
    },
  };
}

function reader(client: ReturnType<typeof s3Client>, bucket: string): Pick<LocalS3, 'keys' | 'read'> {
  return {
    keys: async (prefix) =>
      ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(
        (o) => o.Key!,
      ),
    read: async (key) =>
      Buffer.from(
        await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray(),
      ),
  };
}

export async function localS3(bucket = 'uigate-artifacts'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'uigate-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3Client({ endpoint });
  return {
    endpoint,
    bucket,
    ...reader(client, bucket),
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
