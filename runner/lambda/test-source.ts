// Where a Lambda batch gets the suite it runs: the test bundle of the commit under test
// (executors/test-bundle.ts), put in the artifacts bucket by the orchestrator — or, for uigate's
// local Invoke endpoint, left on this machine's disk — and unpacked by the handler under /tmp,
// kept while the execution environment stays warm. Never the tests frozen into the function.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { extract } from 'tar';
import { s3Client } from '../artifacts/s3-artifacts.ts';

/** A suite packed for the Lambda function: the zip in the artifacts bucket, by its digest. */
export interface TestBundle {
  file: string;
  sha256: string;
  bytes: number;
  /** Files and packages packed. */
  files: number;
  packages: number;
}

export type TestSource =
  | { bucket: string; key: string; sha256: string; region?: string; endpoint?: string }
  /** On this machine (uigate's local endpoint): a bundle file it can read. */
  | { file: string; sha256: string };

/** Where bundles go in the artifacts bucket: by digest, so the same suite is uploaded once. */
export const bundleKey = (prefix: string | undefined, sha256: string) => `${prefix ?? ''}bundles/${sha256}.tgz`;

/**
 * A bundle last written longer ago than this is written again (in place, server-side) before a run
 * uses it. The artifacts bucket expires objects a number of days after they were written (S3 user
 * guide, "Expiring objects": the days are counted from the object's creation, which a copy onto
 * itself renews); a suite unchanged for that long would otherwise lose its bundle in mid-run.
 */
export const BUNDLE_REFRESH_MS = 24 * 60 * 60 * 1000;

/**
 * Makes the bundle reachable by the function: uploaded to the bucket unless it is there already,
 * and renewed when it is there but old.
 */
export async function publishBundle(
  bundle: TestBundle,
  bucket: { bucket: string; prefix?: string; region?: string; endpoint?: string } | undefined,
  now = Date.now(),
): Promise<TestSource> {
  if (!bucket) return { file: bundle.file, sha256: bundle.sha256 };
  const client = s3Client(bucket);
  const key = bundleKey(bucket.prefix, bundle.sha256);
  const written = {
    ContentType: 'application/gzip',
    ServerSideEncryption: bucket.endpoint ? undefined : ('AES256' as const),
  };
  try {
    const there = await client.send(new HeadObjectCommand({ Bucket: bucket.bucket, Key: key })).catch(() => undefined);
    if (!there) {
      // A buffer: a stream goes out aws-chunked, which S3-compatible stand-ins do not all decode.
      await client.send(
        new PutObjectCommand({ Bucket: bucket.bucket, Key: key, Body: await readFile(bundle.file), ...written }),
      );
    } else if (now - (there.LastModified?.getTime() ?? 0) > BUNDLE_REFRESH_MS) {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket.bucket,
          Key: key,
          CopySource: `${bucket.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
          // A copy onto itself must change something: the metadata says when it was renewed.
          MetadataDirective: 'REPLACE',
          Metadata: { 'uigate-renewed': new Date(now).toISOString() },
          ...written,
        }),
      );
    }
  } finally {
    client.destroy();
  }
  return {
    bucket: bucket.bucket,
    key,
    sha256: bundle.sha256,
    ...(bucket.region ? { region: bucket.region } : {}),
    ...(bucket.endpoint ? { endpoint: bucket.endpoint } : {}),
  };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Finds the root of the uigate package this code runs from: the bundle's `uigate` imports resolve to it. */
async function uigateRoot(): Promise<string | undefined> {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').then(
      (text) => JSON.parse(text) as { name?: string },
      () => undefined,
    );
    if (manifest?.name === 'uigate') return dir;
  }
  return undefined;
}

async function download(source: TestSource, to: string): Promise<void> {
  if ('file' in source) {
    await copyFile(source.file, to);
    return;
  }
  const client = s3Client(source);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
    await pipeline(object.Body as Readable, createWriteStream(to));
  } finally {
    client.destroy();
  }
}

/**
 * Unpacks the suite under `tmp`, ready to run: fetched, checked against its digest, unpacked (tar
 * refuses paths that leave the folder), with `uigate` linked to this package. A warm environment
 * keeps the last one and drops any other, since /tmp is small.
 */
export async function prepareTestSource(source: TestSource, tmp: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(source.sha256))
    throw new Error(`test bundle digest "${source.sha256.slice(0, 80)}" is not a SHA-256`);
  const root = join(tmp, 'uigate-suites');
  const dir = join(root, source.sha256);
  if (
    await stat(join(dir, '.complete')).then(
      () => true,
      () => false,
    )
  )
    return dir;
  await mkdir(root, { recursive: true });
  for (const entry of await readdir(root))
    if (entry !== source.sha256) await rm(join(root, entry), { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const archive = join(root, `${source.sha256}.tgz`);
  try {
    await download(source, archive);
    const actual = await sha256Of(archive);
    if (actual !== source.sha256)
      throw new Error(
        `test bundle ${'key' in source ? `s3://${source.bucket}/${source.key}` : source.file} has digest ${actual}, not ${source.sha256}`,
      );
    await extract({ file: archive, cwd: dir, strict: true });
  } finally {
    await rm(archive, { force: true });
  }
  const uigate = await uigateRoot();
  const link = join(dir, 'node_modules', 'uigate');
  if (
    uigate &&
    !(await stat(link).then(
      () => true,
      () => false,
    ))
  ) {
    await mkdir(dirname(link), { recursive: true });
    await symlink(resolve(uigate), link, 'dir');
  }
  await writeFile(join(dir, '.complete'), source.sha256);
  return dir;
}
