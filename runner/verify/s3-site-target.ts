// A static site in S3 (behind CloudFront): each release is kept under releases/<id>/; the live
// site is the bucket's root, copied from one release (server-side CopyObject), with files the
// release does not have deleted, and releases/live.json naming it. Rolling back is publishing the
// previous good release again.
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import type { StagingTarget } from './rollback-target.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
};
const RELEASES = 'releases/';
const POINTER = `${RELEASES}live.json`;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

export class S3SiteTarget implements StagingTarget {
  readonly name: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.name = `s3://${bucket}`;
  }

  private async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  async stage(releaseId: string, fromDir: string): Promise<void> {
    for (const file of await filesUnder(fromDir)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${RELEASES}${releaseId}/${file}`,
          Body: await readFile(join(fromDir, file)),
          ContentType: TYPES[extname(file)] ?? 'application/octet-stream',
        }),
      );
    }
  }

  async live(): Promise<string | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: POINTER }));
      return (JSON.parse(await object.Body!.transformToString()) as { releaseId?: string }).releaseId;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async publish(releaseId: string): Promise<void> {
    const prefix = `${RELEASES}${releaseId}/`;
    const files = (await this.keys(prefix)).map((key) => key.slice(prefix.length));
    if (files.length === 0)
      throw new Error(`release ${releaseId} is not staged in ${this.name} (nothing under ${prefix})`);
    for (const file of files) {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: file,
          CopySource: `${this.bucket}/${encodeURIComponent(prefix + file).replace(/%2F/g, '/')}`,
        }),
      );
    }
    const keep = new Set(files);
    const stale = (await this.keys('')).filter((key) => !key.startsWith(RELEASES) && !keep.has(key));
    if (stale.length)
      await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: stale.map((Key) => ({ Key })) } }),
      );
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: POINTER,
        Body: JSON.stringify({ releaseId, at: new Date().toISOString() }),
        ContentType: 'application/json',
      }),
    );
  }
}
