// The local production site: releases kept under <dir>/releases/<id>/, the live one behind the
// <dir>/current symbolic link, switched atomically (a new link renamed over the old), so a server
// of <dir>/current serves one release or the other, never a mix.
import { copyFile, mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { releaseFiles } from './digest.ts';
import { SAFE_ID, type StagingTarget } from './production-target.ts';

export class LocalSiteTarget implements StagingTarget {
  readonly name: string;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.name = `local:${this.dir}`;
  }

  /** The folder to serve: always the live release. */
  get liveDir(): string {
    return join(this.dir, 'current');
  }

  private releaseDir(releaseId: string): string {
    if (!SAFE_ID.test(releaseId)) throw new Error(`release id "${releaseId.slice(0, 40)}" is not a safe folder name`);
    return join(this.dir, 'releases', releaseId);
  }

  async stage(releaseId: string, fromDir: string): Promise<void> {
    const to = this.releaseDir(releaseId);
    await rm(to, { recursive: true, force: true });
    await mkdir(join(this.dir, 'releases'), { recursive: true });
    // The digested files one by one: a link in the folder is refused, never copied as a link.
    for (const file of await releaseFiles(fromDir)) {
      await mkdir(dirname(join(to, file)), { recursive: true });
      await copyFile(join(fromDir, file), join(to, file));
    }
  }

  async live(): Promise<string | undefined> {
    try {
      return basename(await readlink(this.liveDir));
    } catch {
      return undefined;
    }
  }

  async publish(releaseId: string): Promise<void> {
    const next = join(this.dir, `.current-${process.pid}-${Date.now()}`);
    await symlink(join('releases', basename(this.releaseDir(releaseId))), next);
    await rename(next, this.liveDir);
  }

  /** Where a staged release's files are (for breaking one on purpose in a demo). */
  filesOf(releaseId: string): string {
    return this.releaseDir(releaseId);
  }
}
