import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalArtifacts } from '../artifacts/local-artifacts.ts';
import { releaseFolder } from '../testing/release-folder.ts';
import { CommandTarget } from './command-target.ts';
import { siteDigest } from './digest.ts';
import { LocalSiteTarget } from './local-site-target.ts';

describe('a release folder with a symbolic link', () => {
  let dir: string;
  let site: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-digest-'));
    site = await releaseFolder(join(dir, 'site'), { 'index.html': '<h1>shop</h1>', 'assets/app.js': 'run()' });
    // An absolute link out of the folder, as a build tool might leave one.
    await symlink('/etc/hostname', join(site, 'assets', 'host.txt'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const refused =
    /assets\/host\.txt is a symbolic link: a release is its regular files only — copy what it points to into the folder \(cp -rL\), or remove it/;

  it('is refused by the digest, in one line naming the link and the fix', async () => {
    await assert.rejects(siteDigest(site), refused);
  });

  it('is staged by no target: neither a local site nor the command target ships what the digest did not cover', async () => {
    const local = new LocalSiteTarget(join(dir, 'production'));
    await assert.rejects(local.stage('r1', site), refused);
    const artifacts = join(dir, 'artifacts');
    const command = new CommandTarget('shop', { command: 'true', cwd: dir, artifacts: new LocalArtifacts(artifacts) });
    await assert.rejects(command.stage('r1', site), refused);
    assert.deepEqual(await readdir(artifacts).catch(() => []), [], 'no tarball written');
  });
});
