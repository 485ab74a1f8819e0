// The digest of a site release: sha256 over its files' paths and contents in a fixed order, so the
// same files give the same digest on any machine — what an approval is bound to.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UsageError } from '../core/errors.ts';

/**
 * A release's files: its regular files, as paths relative to `dir` with forward slashes, sorted.
 * What the digest covers — and so exactly what every target stages and ships (zip-folder.ts, the
 * S3 and local sites, the command target's tarball). A symbolic link (or a socket, a device) is
 * refused, not skipped: a link left out of the digest but shipped by a copy, or rewritten into a
 * dangling one, would make what is live differ from what was approved.
 */
export async function releaseFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const odd = entries.find((entry) => !entry.isFile() && !entry.isDirectory());
  if (odd) {
    const path = relative(dir, join(odd.parentPath, odd.name));
    const what = odd.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
    throw new UsageError(
      `${join(dir, path)} is ${what}: a release is its regular files only — copy what it points to into the folder (cp -rL), or remove it`,
    );
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

export async function siteDigest(dir: string): Promise<string> {
  const files = await releaseFiles(dir);
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(await readFile(join(dir, file)))
      .update('\0');
  return `sha256:${hash.digest('hex')}`;
}
