import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { whileBuildingPackage } from './packed.ts';

/** A build lock folder in a fresh temporary folder, naming `holder` when given; removed after `body`. */
async function withLock(holder: number | undefined, body: (lock: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'uigate-lock-'));
  const lock = join(dir, 'build.lock');
  await mkdir(lock);
  if (holder !== undefined) await writeFile(join(lock, 'pid'), String(holder));
  try {
    await body(lock);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('taking turns to build the package', () => {
  it('takes over a lock whose holder was killed, instead of waiting it out past the test timeout', async () => {
    // A process that has exited: its pid names nobody now.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    await withLock(gone, async (lock) => {
      assert.equal(await whileBuildingPackage(() => 'built', lock), 'built');
      assert.equal(existsSync(lock), false, 'released after the build');
    });
  });

  it('takes over a lock that has named no holder for a while (left by a run from before locks named one)', async () => {
    await withLock(undefined, async (lock) => {
      const old = new Date(Date.now() - 60_000);
      await utimes(lock, old, old);
      assert.equal(await whileBuildingPackage(() => 'built', lock), 'built');
    });
  });

  it('waits for a lock whose holder is alive', async () => {
    await withLock(process.pid, async (lock) => {
      let built = false;
      const waiting = whileBuildingPackage(() => (built = true), lock);
      await new Promise((ok) => setTimeout(ok, 600));
      assert.equal(built, false, 'still waiting while the holder lives');
      await rm(lock, { recursive: true, force: true });
      await waiting;
      assert.equal(built, true);
    });
  });

  it("lets one waiter in at a time when several take over a dead holder's lock at once", async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    for (let round = 0; round < 20; round++) {
      await withLock(gone, async (lock) => {
        let inside = 0;
        let most = 0;
        const build = async () => {
          most = Math.max(most, ++inside);
          await new Promise((ok) => setTimeout(ok, 20));
          inside--;
        };
        await Promise.all([1, 2, 3, 4].map(() => whileBuildingPackage(build, lock)));
        assert.equal(most, 1, `round ${round + 1}: two builds at once`);
      });
    }
  });
});
