// uigate as `npm pack` makes it, for tests that install it into a project outside this repository.
// Building the package empties dist/ first: tests that build it in parallel files take turns.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from './fixture-project.ts';

const LOCK = join(tmpdir(), `uigate-package-build-${Buffer.from(REPO).toString('hex').slice(-24)}.lock`);

/**
 * Runs `build` while no other test process builds this repository's package. The lock names its
 * holder: a lock whose process is gone (a test run killed mid-build) is taken over at once, not
 * waited out; any other is given up on after 10 minutes.
 */
export async function whileBuildingPackage<T>(build: () => Promise<T> | T, lock = LOCK): Promise<T> {
  const giveUp = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (await heldByNobody(lock)) await takeOver(lock);
      else if (Date.now() > giveUp) break;
      else await sleep(250);
    }
  }
  try {
    return await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Removes a dead holder's lock, one waiter at a time: without the turn, a second waiter that saw
 * the same dead lock removes the lock the first has just taken, and two builds run at once. The
 * turn is itself a folder made exclusively; one left by a waiter killed inside it lapses after 10 s.
 */
async function takeOver(lock: string): Promise<void> {
  const turn = `${lock}.takeover`;
  try {
    await mkdir(turn);
  } catch {
    const made = (await stat(turn).catch(() => undefined))?.mtimeMs;
    if (made !== undefined && Date.now() - made > 10_000) await rm(turn, { recursive: true, force: true });
    await sleep(20);
    return;
  }
  try {
    // Looked at again inside the turn: another waiter may have taken it over since.
    if (await heldByNobody(lock)) await rm(lock, { recursive: true, force: true });
  } finally {
    await rm(turn, { recursive: true, force: true });
  }
}

/** A lock whose holder has exited, or that has named no holder for 10 s (one just made has not yet). */
async function heldByNobody(lock: string): Promise<boolean> {
  const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
  if (!pid) return Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now()) > 10_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * What the package is built from: its sources' newest change and their count. Two test files that
 * pack the same sources share one build (about a minute of CPU each).
 */
function sourcesFingerprint(): string {
  let newest = 0;
  let files = 0;
  for (const top of [
    'bin',
    'cdk',
    'runner',
    'status-site',
    'scripts',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
  ]) {
    const path = join(REPO, top);
    if (!existsSync(path)) continue;
    const entries = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, withFileTypes: true })
          .filter(
            (entry) =>
              entry.isFile() &&
              !entry.parentPath.includes('node_modules') &&
              !entry.parentPath.includes(`${join('status-site', 'dist')}`),
          )
          .map((entry) => join(entry.parentPath, entry.name))
      : [path];
    for (const file of entries) {
      newest = Math.max(newest, statSync(file).mtimeMs);
      files++;
    }
  }
  return `${Math.round(newest)}-${files}`;
}

/** Compiles the package, packs it into `dir`, and returns the tarball's path. */
export function packUigate(dir: string): Promise<string> {
  return whileBuildingPackage(async () => {
    const cache = join(tmpdir(), `uigate-packed-${Buffer.from(REPO).toString('hex').slice(-24)}`, sourcesFingerprint());
    if (!existsSync(join(cache, 'name'))) {
      execFileSync('npm', ['run', 'build:package', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
      await rm(cache, { recursive: true, force: true });
      await mkdir(cache, { recursive: true });
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', cache, '--json'], {
          cwd: REPO,
          encoding: 'utf8',
        }),
      ) as { filename: string }[];
      await writeFile(join(cache, 'name'), packed[0]!.filename);
    }
    const name = await readFile(join(cache, 'name'), 'utf8');
    await copyFile(join(cache, name), join(dir, name));
    return join(dir, name);
  });
}
