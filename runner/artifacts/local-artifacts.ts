// Artifacts in a folder on this machine (the default): `.uigate/artifacts/<runId>/...`.
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { artifactKey, type ArtifactInput, type ArtifactStore } from './artifact-store.ts';

export class LocalArtifacts implements ArtifactStore {
  constructor(readonly root: string) {}

  async put(input: ArtifactInput): Promise<string> {
    const key = artifactKey(input, 'path' in input.content ? input.content.path : undefined);
    const target = join(this.root, key);
    await mkdir(dirname(target), { recursive: true });
    if ('path' in input.content) await copyFile(input.content.path, target);
    else await writeFile(target, input.content.body);
    return key;
  }

  async putObject(key: string, body: Buffer): Promise<void> {
    const target = join(this.root, key);
    await mkdir(dirname(target), { recursive: true });
    // Written aside and renamed, so a reader never sees half an object.
    const aside = `${target}.${process.pid}.tmp`;
    await writeFile(aside, body);
    await rename(aside, target);
  }

  async read(key: string): Promise<Buffer> {
    const path = join(this.root, key);
    // A key is ours to resolve inside the root, never a way out of it.
    if (relative(this.root, path).startsWith('..')) throw new Error(`artifact key ${key} leaves the artifacts folder`);
    return readFile(path);
  }

  async readAll(prefix: string): Promise<{ key: string; body: Buffer }[]> {
    const dir = join(this.root, prefix);
    const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
    return Promise.all(
      entries
        .filter((entry) => entry.isFile() && !entry.name.endsWith('.tmp'))
        .map(async (entry) => {
          const path = join(entry.parentPath, entry.name);
          return { key: relative(this.root, path).split(sep).join('/'), body: await readFile(path) };
        }),
    );
  }
}
