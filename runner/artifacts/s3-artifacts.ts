// Artifacts in S3 (Lambda and CodeBuild, where the local disk does not outlive the batch):
// `s3://<bucket>/<prefix><runId>/<unitKey>/<attempt>-<name>`.
import { readFile } from 'node:fs/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { artifactKey, type ArtifactInput, type ArtifactStore } from './artifact-store.ts';
import { awsRegion } from '../aws/region.ts';
import { isLoopbackUrl } from '../core/local-request.ts';

export interface S3ArtifactsOptions {
  bucket: string;
  prefix?: string;
  region?: string;
  /** An S3-compatible endpoint (s3rver in tests); path-style addressing is used with it. */
  endpoint?: string;
}

export function s3Client(options: Pick<S3ArtifactsOptions, 'region' | 'endpoint'>): S3Client {
  const local = options.endpoint !== undefined && isLoopbackUrl(options.endpoint);
  return new S3Client({
    region: awsRegion(process.env, options.region),
    endpoint: options.endpoint,
    forcePathStyle: options.endpoint !== undefined,
    // Trailing checksums need aws-chunked uploads; stand-ins get the plain kind.
    requestChecksumCalculation: options.endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    credentials:
      local && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } : undefined,
  });
}

export class S3Artifacts implements ArtifactStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3ArtifactsOptions) {
    this.client = s3Client(options);
  }

  async put(input: ArtifactInput): Promise<string> {
    const key = artifactKey(input, 'path' in input.content ? input.content.path : undefined);
    // A buffer, not a stream: screenshots and traces are small, and a streamed body goes out
    // aws-chunked, which S3-compatible stand-ins do not all decode.
    const body = 'path' in input.content ? await readFile(input.content.path) : input.content.body;
    await this.putObject(key, body, input.contentType);
    return key;
  }

  async putObject(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: `${this.options.prefix ?? ''}${key}`,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: this.options.endpoint ? undefined : 'AES256',
      }),
    );
  }

  async read(key: string): Promise<Buffer> {
    const object = await this.client.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: `${this.options.prefix ?? ''}${key}` }),
    );
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async readAll(prefix: string): Promise<{ key: string; body: Buffer }[]> {
    const root = this.options.prefix ?? '';
    const found: { key: string; body: Buffer }[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: `${root}${prefix}`, ContinuationToken }),
      );
      for (const { Key } of page.Contents ?? []) {
        const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: Key! }));
        found.push({ key: Key!.slice(root.length), body: Buffer.from(await object.Body!.transformToByteArray()) });
      }
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return found;
  }

  close() {
    this.client.destroy();
  }
}
