// The digest of a site release: sha256 over its files' paths and contents in a fixed order, so the
// same files give the same digest on any machine — what an approval is bound to.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * A release's files: regular files only (symlinks left out), as paths relative to `dir` with
 * forward slashes, sorted. What the digest covers — and so all a release may ship (zip-folder.ts).
 */
export async function releaseFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
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
