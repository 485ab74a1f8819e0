// The Chromium the project's own tests drive: a headless shell, the build Playwright itself runs
// headless tests on (its chromium-headless-shell download). This machine cannot download it, but
// @sparticuz/chromium, a dependency for Lambda, is one: unpacked once into the cache the local
// Lambda endpoint shares, it runs a page in under half the CPU of the system's full Chromium in
// headless mode. Run as a script, it prints the binary's path (scripts/test.js hands it to the
// tests as UIGATE_CHROMIUM_PATH).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV } from '../core/env.ts';
import { cacheOf, localChromiumCache, unpackChromium } from '../lambda/chromium.ts';

/** Unpacks @sparticuz/chromium into the shared cache unless it is there; answers the binary's path. */
export async function headlessShell(root = localChromiumCache()): Promise<string> {
  const cache = cacheOf(root);
  if (!cache) throw new Error('@sparticuz/chromium is not installed');
  // The unpack goes into a /tmp of its own, as in an execution environment, then is shared whole.
  const scratch = await mkdtemp(join(tmpdir(), 'uigate-headless-shell-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  process.env[ENV.lambdaChromiumCache] = root;
  try {
    const { default: chromium } = await import('@sparticuz/chromium');
    await unpackChromium(() => chromium.executablePath());
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(scratch, { recursive: true, force: true });
  }
  return join(cache, 'chromium');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await headlessShell()}\n`);
}
