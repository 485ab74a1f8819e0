// Artifacts in a folder on this machine (the default): `.uigate/artifacts/<runId>/...`.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { artifactKey, type ArtifactInput, type ArtifactStore } from './artifact-store.ts';

export class LocalArtifacts implements ArtifactStore {
  constructor(readonly root: string) {}

  async put(input: ArtifactInput): Promise<string> {
    const key = artifactKey(input, 'path' in input.source ? input.source.path : undefined);
    const target = join(this.root, key);
    await mkdir(dirname(target), { recursive: true });
    if ('path' in input.source) await copyFile(input.source.path, target);
    else await writeFile(target, input.source.body);
    return key;
  }
}
