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
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentTypeOf } from '../core/content-types.ts';
import { cacheControlOf } from './cache-control.ts';
import { releaseFiles } from './digest.ts';
import type { ListingTarget } from './edge-cached-target.ts';

const RELEASES = 'releases/';
export const DELETE_BATCH = 1_000;
const POINTER = `${RELEASES}live.json`;

export class S3SiteTarget implements ListingTarget {
  readonly name: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** Keys per DeleteObjects request; S3's limit unless a test needs a smaller one. */
    private readonly deleteBatch = DELETE_BATCH,
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
    for (const file of await releaseFiles(fromDir)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${RELEASES}${releaseId}/${file}`,
          Body: await readFile(join(fromDir, file)),
          ContentType: contentTypeOf(file),
          // Kept by the copy that publishes it (CopyObject copies metadata unless told to replace it).
          CacheControl: cacheControlOf(file),
        }),
      );
    }
  }

  /**
   * Stages a release as a server-side copy of a staged one plus some files of its own: how
   * `uigate doctor --aws` makes a release it can tell apart without changing what users see.
   */
  async stageFrom(
    releaseId: string,
    baseReleaseId: string,
    extra: readonly { path: string; body: string }[],
  ): Promise<void> {
    const base = `${RELEASES}${baseReleaseId}/`;
    const files = await this.files(baseReleaseId);
    if (files.length === 0) throw new Error(`release ${baseReleaseId} is not staged in ${this.name}`);
    for (const file of files) await this.copy(base + file, `${RELEASES}${releaseId}/${file}`);
    for (const { path, body } of extra)
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${RELEASES}${releaseId}/${path}`,
          Body: body,
          ContentType: contentTypeOf(path),
          CacheControl: cacheControlOf(path),
        }),
      );
  }

  /** The files of a staged release, as paths below the site's root. */
  async files(releaseId: string): Promise<string[]> {
    const prefix = `${RELEASES}${releaseId}/`;
    return (await this.keys(prefix)).map((key) => key.slice(prefix.length));
  }

  /** Deletes a staged release that is not live. */
  async discard(releaseId: string): Promise<void> {
    if ((await this.live()) === releaseId) throw new Error(`release ${releaseId} is live in ${this.name}`);
    await this.delete(await this.keys(`${RELEASES}${releaseId}/`));
  }

  private copy(from: string, to: string) {
    return this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: to,
        CopySource: `${this.bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}`,
      }),
    );
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
    const files = await this.files(releaseId);
    if (files.length === 0)
      throw new Error(`release ${releaseId} is not staged in ${this.name} (nothing under ${prefix})`);
    for (const file of files) await this.copy(prefix + file, file);
    const keep = new Set(files);
    const stale = (await this.keys('')).filter((key) => !key.startsWith(RELEASES) && !keep.has(key));
    await this.delete(stale);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: POINTER,
        Body: JSON.stringify({ releaseId, at: new Date().toISOString() }),
        ContentType: 'application/json',
      }),
    );
  }

  /**
   * DeleteObjects takes at most 1,000 keys a request (S3 API reference, DeleteObjects), and
   * answers 200 even when some keys were not deleted: those come back in Errors.
   */
  private async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += this.deleteBatch) {
      const chunk = keys.slice(i, i + this.deleteBatch);
      const { Errors = [] } = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (Errors.length)
        throw new Error(
          `${this.name}: ${Errors.length} old file(s) could not be deleted, e.g. ${Errors[0]!.Key}: ${Errors[0]!.Code} ${Errors[0]!.Message ?? ''}`.trim(),
        );
    }
  }
}
