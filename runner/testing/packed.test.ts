import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { whileBuildingPackage } from './packed.ts';

describe('taking turns to build the package', () => {
  it('takes over a lock whose holder was killed, instead of waiting it out past the test timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-lock-'));
    const lock = join(dir, 'build.lock');
    // A process that has exited: its pid names nobody now.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), String(gone));
    try {
      assert.equal(await whileBuildingPackage(() => 'built', lock), 'built');
      assert.equal(existsSync(lock), false, 'released after the build');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes over a lock that has named no holder for a while (left by a run from before locks named one)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-lock-'));
    const lock = join(dir, 'build.lock');
    await mkdir(lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    try {
      assert.equal(await whileBuildingPackage(() => 'built', lock), 'built');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('waits for a lock whose holder is alive', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-lock-'));
    const lock = join(dir, 'build.lock');
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), String(process.pid));
    try {
      let built = false;
      const waiting = whileBuildingPackage(() => (built = true), lock);
      await new Promise((ok) => setTimeout(ok, 600));
      assert.equal(built, false, 'still waiting while the holder lives');
      await rm(lock, { recursive: true, force: true });
      await waiting;
      assert.equal(built, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
