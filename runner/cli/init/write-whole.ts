// Writes a user's file whole or not at all: the new text goes to a file beside it, which is then
// renamed over it (a rename within a folder is atomic). A write cut short — a full disk, a quota,
// the file-size limit — leaves the user's file exactly as it was, and says so in one line.
import { randomBytes } from 'node:crypto';
import { chmod, rm, stat, writeFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InfraError } from '../../core/errors.ts';

const WHY: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file-size limit was reached (ulimit -f)',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
};

export async function writeWhole(path: string, text: string): Promise<void> {
  const aside = join(dirname(path), `.${basename(path)}.uigate-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(aside, text, { flag: 'wx' });
    // Keep the file's mode (an executable script, a private config).
    const mode = await stat(path).then(
      (info) => info.mode & 0o7777,
      () => undefined,
    );
    if (mode !== undefined) await chmod(aside, mode);
    await rename(aside, path);
  } catch (error) {
    await rm(aside, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = WHY[code] ?? (error as Error).message;
    throw new InfraError(
      `could not write ${path}: ${why} (${code || 'error'}); it was left as it was — make room or fix that, then run this again`,
    );
  }
}
