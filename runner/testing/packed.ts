// uigate as `npm pack` makes it, for tests that install it into a project outside this repository.
// Building the package empties dist/ first: tests that build it in parallel files take turns.
import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from './fixture-project.ts';

const LOCK = join(tmpdir(), `uigate-package-build-${Buffer.from(REPO).toString('hex').slice(-24)}.lock`);

/** Runs `build` while no other test process builds this repository's package (stale after 10 minutes). */
export async function whileBuildingPackage<T>(build: () => Promise<T> | T): Promise<T> {
  const giveUp = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      if (Date.now() > giveUp) break;
      await sleep(250);
    }
  }
  try {
    return await build();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** Compiles the package, packs it into `dir`, and returns the tarball's path. */
export function packUigate(dir: string): Promise<string> {
  return whileBuildingPackage(() => {
    execFileSync('npm', ['run', 'build:package', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], {
        cwd: REPO,
        encoding: 'utf8',
      }),
    ) as { filename: string }[];
    return join(dir, packed[0]!.filename);
  });
}
