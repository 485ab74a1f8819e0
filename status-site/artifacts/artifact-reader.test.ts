import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { artifactPath, LocalArtifactReader } from './artifact-reader.ts';

const RUN = '20261122T185625123Z-k3f9';
const OTHER = '20261122T185625123Z-aaaa';

describe('artifactPath', () => {
  it('resolves a path inside the run folder', () => {
    assert.equal(artifactPath('/a', RUN, 'unit/1-shot.png'), `/a/${RUN}/unit/1-shot.png`);
  });

  it('refuses traversal, absolute paths, backslashes, NUL bytes and bad run ids', () => {
    for (const path of ['../x', 'unit/../../x', '/etc/passwd', 'a\\..\\b', 'a\0b', '', 'a//b', './a']) {
      assert.equal(artifactPath('/a', RUN, path), undefined, path);
    }
    assert.equal(artifactPath('/a', '../etc', 'x'), undefined);
  });
});

describe('LocalArtifactReader', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'uigate-artifacts-'));
    await mkdir(join(root, RUN, 'u'), { recursive: true });
    await mkdir(join(root, OTHER), { recursive: true });
    await writeFile(join(root, RUN, 'u', 'shot.png'), 'png');
    await writeFile(join(root, OTHER, 'secret.txt'), 'secret');
    await symlink(join(root, OTHER, 'secret.txt'), join(root, RUN, 'u', 'link.txt'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('reads a file of the run with its content type', async () => {
    const artifact = await new LocalArtifactReader(root).get(RUN, 'u/shot.png');
    assert.equal(artifact?.contentType, 'image/png');
    assert.equal(artifact?.size, 3);
  });

  it('does not follow a symbolic link out of the run folder', async () => {
    assert.equal(await new LocalArtifactReader(root).get(RUN, 'u/link.txt'), undefined);
  });

  it("does not follow a link in the run's report to the run's other files, and follows one within the report", async () => {
    await mkdir(join(root, RUN, 'report', 'data'), { recursive: true });
    await writeFile(join(root, RUN, 'report', 'index.html'), '<html>');
    await symlink(join(root, RUN, 'u', 'shot.png'), join(root, RUN, 'report', 'data', 'shot.png'));
    await symlink(join(root, RUN, 'report', 'index.html'), join(root, RUN, 'report', 'data', 'again.html'));
    const source = new LocalArtifactReader(root);
    assert.equal(await source.get(RUN, 'report/data/shot.png'), undefined);
    assert.equal((await source.get(RUN, 'report/data/again.html'))?.size, 6);
    assert.equal((await source.get(RUN, 'u/shot.png'))?.size, 3, 'the file itself stays readable where it is');
  });

  it('answers nothing for a folder or a missing file', async () => {
    assert.equal(await new LocalArtifactReader(root).get(RUN, 'u'), undefined);
    assert.equal(await new LocalArtifactReader(root).get(RUN, 'u/nope.png'), undefined);
  });
});
