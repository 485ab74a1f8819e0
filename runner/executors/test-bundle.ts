// The suite of the commit under test, packed for an executor that has none of it (Lambda): the
// project's files (what git tracks, or everything but build output), and from node_modules the
// packages the config and the tests import (as the bundler finds them: imported-packages.ts), with their dependencies — Playwright Test among them,
// so the tests run on the project's own Playwright. One gzipped tar, named by its SHA-256.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { create } from 'tar';
import { UsageError } from '../core/errors.ts';
import { importedPackages } from './imported-packages.ts';
import type { TestBundle } from '../lambda/test-source.ts';

/** Provided by the executor itself (the Lambda package): never packed. */
export const PROVIDED_PACKAGES = new Set(['uigate', '@sparticuz/chromium']);
/** Folders that hold output, caches or other machines' installs, never sources a test loads. */
const NOT_SOURCES = new Set(['node_modules', '.git', 'test-results', 'playwright-report', 'blob-report']);

export interface PackOptions {
  projectDir: string;
  /** The Playwright config and the test files: where the walk for imported packages starts. */
  entries: readonly string[];
  /** Folder the bundle is written to (left out of it). */
  outDir: string;
}

/** Lists the project's own files, relative to it: git's view where there is one (tracked and not ignored). */
async function projectFiles(projectDir: string, outDir: string): Promise<string[]> {
  const skip = (path: string) =>
    path.split('/').some((part) => NOT_SOURCES.has(part) || part.startsWith('.uigate')) ||
    resolve(projectDir, path).startsWith(outDir + sep);
  try {
    const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
      cwd: projectDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
    const files = listed.split('\0').filter(Boolean);
    const present = await Promise.all(
      files.map((file) =>
        stat(join(projectDir, file)).then(
          (info) => info.isFile(),
          () => false,
        ),
      ),
    );
    return files.filter((file, i) => present[i] && !skip(file));
  } catch {
    const found: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await readdir(join(projectDir, dir), { withFileTypes: true })) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (skip(path)) continue;
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) found.push(path);
      }
    };
    await walk('');
    return found;
  }
}

/** Finds where `name` resolves from `fromDir`, as Node looks: the nearest node_modules up the tree. */
async function packageDir(name: string, fromDir: string, root: string): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = resolve(dir, '..')) {
    const candidate = join(dir, 'node_modules', name);
    if (
      await stat(join(candidate, 'package.json')).then(
        () => true,
        () => false,
      )
    )
      return candidate;
    if (dir === root || dir === resolve(dir, '..')) return undefined;
  }
}

/** Collects the packages `names` need, with their dependencies, as folders inside the project. */
async function packageClosure(names: Iterable<string>, projectDir: string): Promise<string[]> {
  const found = new Map<string, string>();
  const queue = [...names].map((name) => ({ name, from: projectDir }));
  while (queue.length) {
    const { name, from } = queue.shift()!;
    if (PROVIDED_PACKAGES.has(name)) continue;
    const dir = await packageDir(name, from, projectDir);
    if (!dir || found.has(dir)) continue;
    if (relative(projectDir, dir).startsWith('..')) {
      throw new UsageError(
        `${name} is installed at ${dir}, outside ${projectDir}: the Lambda executor packs node_modules from the project's folder — run uigate where its dependencies are installed`,
      );
    }
    found.set(dir, name);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      for (const dependency of Object.keys(manifest[field] ?? {})) queue.push({ name: dependency, from: dir });
    }
  }
  return [...found.keys()].map((dir) => relative(projectDir, dir).split(sep).join('/')).sort();
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Packs the suite. The same sources give the same bytes (sorted, no times), so a bundle already uploaded is found again by its digest. */
export async function packTestBundle(options: PackOptions): Promise<TestBundle> {
  const projectDir = resolve(options.projectDir);
  const outDir = resolve(options.outDir);
  const imported = await importedPackages(options.entries, projectDir);
  const packages = await packageClosure(new Set([...imported.packages, '@playwright/test']), projectDir);
  const files = (await projectFiles(projectDir, outDir)).sort();
  await mkdir(outDir, { recursive: true });
  const partial = join(outDir, `bundle-${process.pid}-${Date.now()}.tgz.partial`);
  await create(
    {
      gzip: true,
      cwd: projectDir,
      file: partial,
      portable: true,
      follow: true,
      noDirRecurse: false,
      mtime: new Date(0),
    },
    [...files, ...packages],
  );
  const sha256 = await sha256Of(partial);
  const file = join(outDir, `${sha256}.tgz`);
  await rename(partial, file);
  return { file, sha256, bytes: (await stat(file)).size, files: files.length, packages: packages.length };
}
