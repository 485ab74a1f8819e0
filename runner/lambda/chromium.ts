// The Lambda build of Chromium (@sparticuz/chromium): unpacked into /tmp on first use, reused
// while the container stays warm. Its maintainers keep --single-process because without it Chromium
// can hang at newPage in Lambda; Playwright cannot work with it (one context per test). Whether it
// hangs without it is only seen in an account, so each container proves it once — launch, open a
// page, close — before running tests: a hang becomes BrowserUnavailable (the batch re-queued, then
// errored), never a test that timed out and reads as failed.
import { existsSync, statSync } from 'node:fs';
import { link, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ENV } from '../core/env.ts';

const UNFAITHFUL = new Set(['--disable-web-security', '--allow-running-insecure-content']);
/** One process cannot open a second browser context, and Playwright opens one per test. */
const BREAKS_PLAYWRIGHT = new Set(['--single-process']);

let resolved: Promise<{ executablePath: string; args: string[]; version: string }> | undefined;

export function lambdaChromium() {
  resolved ??= (async () => {
    const { default: chromium } = await import('@sparticuz/chromium');
    // No GPU in Lambda; SwiftShader would only cost start-up time.
    chromium.setGraphicsMode = false;
    // Tests should see the site as users do: keep CORS and mixed-content rules on.
    const args = chromium.args.filter((arg) => !UNFAITHFUL.has(arg) && !BREAKS_PLAYWRIGHT.has(arg));
    const executablePath = await unpackChromium(() => chromium.executablePath());
    const version = await openPageProbe(async () => {
      const { chromium: playwright } = await import('@playwright/test');
      return playwright.launch({ executablePath, args, timeout: PROBE_MS });
    });
    return { executablePath, args, version };
  })().catch((error: unknown) => {
    resolved = undefined;
    throw error;
  });
  return resolved;
}

const PROBE_MS = 30_000;

/** What @sparticuz/chromium unpacks into os.tmpdir(), and takes as done once it exists. */
const UNPACKED = [
  'chromium',
  'fonts',
  'al2023',
  'libEGL.so',
  'libGLESv2.so',
  'libvk_swiftshader.so',
  'libvulkan.so.1',
  'vk_swiftshader_icd.json',
];
const MARKER = '.uigate-chromium-unpacked';

/**
 * Unpacks Chromium with a mark written only once the unpack finished: @sparticuz/chromium reuses
 * whatever is at /tmp/chromium, so an unpack cut short (a timeout, a crash, a full /tmp) would
 * leave a half-written binary that every later start execs. Without the mark, it is removed first.
 */
export async function unpacked(unpack: () => Promise<string>, dir = tmpdir()): Promise<string> {
  const marker = join(dir, MARKER);
  if (!existsSync(marker))
    await Promise.all(UNPACKED.map((name) => rm(join(dir, name), { recursive: true, force: true })));
  const path = await unpack();
  await writeFile(marker, path);
  return path;
}

interface ProbedBrowser {
  newPage(): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
  version(): string;
}

/**
 * Launches the browser and opens one page, each within `timeoutMs`; throws saying which step hung.
 * Answers the browser's version.
 */
export async function openPageProbe(launch: () => Promise<ProbedBrowser>, timeoutMs = PROBE_MS): Promise<string> {
  const within = async <T>(what: string, work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, fail) => {
      timer = setTimeout(
        () => fail(new Error(`Chromium ${what} did not answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const browser = await within('launch', launch());
  try {
    const page = await within('newPage', browser.newPage());
    await page.close();
    return browser.version();
  } finally {
    await browser.close().catch(() => undefined);
  }
}

/**
 * Lambda's Chromium in this environment's /tmp, whole. Locally, environments share one finished
 * unpack by hard links (each /tmp stays its own); in AWS there is no cache and each sandbox unpacks.
 */
export async function unpackChromium(unpack: () => Promise<string>): Promise<string> {
  const cache = cacheOf(process.env[ENV.lambdaChromiumCache]);
  if (cache) await linkUnpacked(cache, tmpdir());
  const executablePath = await unpacked(unpack);
  if (cache) await shareUnpacked(tmpdir(), cache);
  return executablePath;
}

/** Where uigate's local Invoke endpoint shares one finished unpack among its environments. */
export const localChromiumCache = () => join(tmpdir(), `uigate-lambda-chromium-${process.getuid?.() ?? 0}`);

/** Names the shared cache for this build of @sparticuz/chromium: another build never gets its files. */
export function cacheOf(root: string | undefined): string | undefined {
  if (!root) return undefined;
  try {
    const packed = new URL('../bin/chromium.br', import.meta.resolve('@sparticuz/chromium'));
    const { size, mtimeMs } = statSync(packed);
    return join(root, `${size}-${Math.round(mtimeMs)}`);
  } catch {
    return undefined;
  }
}

/** Lists every file under `from`, as paths relative to it. */
async function filesUnder(from: string): Promise<string[]> {
  const entries = await readdir(from, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(from, join(entry.parentPath, entry.name)));
}

async function linkAll(from: string, to: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await mkdir(dirname(join(to, name)), { recursive: true });
    await link(join(from, name), join(to, name));
  }
}

/**
 * Starts a local execution environment with a finished unpack hard-linked into its own /tmp, mark
 * included, when another environment has shared one: as a warm Lambda sandbox would keep it, at no
 * cost of 200 MB and seconds per environment. Nothing is linked from a cache without its mark.
 */
export async function linkUnpacked(cache: string, dir: string): Promise<void> {
  if (!existsSync(join(cache, MARKER)) || existsSync(join(dir, MARKER))) return;
  try {
    await linkAll(cache, dir, await filesUnder(cache));
  } catch {
    // Another file system, a cache removed meanwhile: this environment unpacks its own.
    await rm(join(dir, MARKER), { force: true });
  }
}

/** Shares a finished unpack (its mark written last) by renaming a linked copy into place: all or nothing. */
export async function shareUnpacked(dir: string, cache: string): Promise<void> {
  if (existsSync(join(cache, MARKER)) || !existsSync(join(dir, MARKER))) return;
  const staging = `${cache}.staging-${process.pid}-${Date.now()}`;
  try {
    // Only what the unpack made: the environment's /tmp also holds its suite and work folders.
    const names: string[] = [];
    for (const top of UNPACKED.filter((name) => existsSync(join(dir, name))))
      if (statSync(join(dir, top)).isDirectory())
        names.push(...(await filesUnder(join(dir, top))).map((name) => join(top, name)));
      else names.push(top);
    await linkAll(dir, staging, names);
    await linkAll(dir, staging, [MARKER]);
    await rename(staging, cache);
  } catch {
    // Another environment shared first, or the links cannot be made: nothing is left half-shared.
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
