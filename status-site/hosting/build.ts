// Builds the status page from TypeScript: one bundled script, one stylesheet, one HTML shell.
// No CDN: everything the page needs is served by the status site itself.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { PageAssets } from '../app/app.ts';
import { traceViewerDir } from '../app/trace-viewer.ts';

const PAGE = fileURLToPath(new URL('../page/', import.meta.url));

export async function buildPage(options: { minify?: boolean } = {}): Promise<PageAssets> {
  const result = await build({
    entryPoints: [`${PAGE}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: 'silent',
  });
  return {
    js: result.outputFiles[0]!.text,
    css: await readFile(`${PAGE}style.css`, 'utf8'),
    html: await readFile(`${PAGE}index.html`, 'utf8'),
  };
}

/**
 * Writes the site for deployment: the page (index.html, assets/app.js, assets/app.css) and
 * Playwright's trace viewer under trace/, as the status bucket and the status function serve them.
 */
export async function writeSite(dist: string): Promise<PageAssets> {
  const page = await buildPage();
  await mkdir(dist, { recursive: true });
  // At the paths the page asks for: the bucket serves each file at its key.
  await mkdir(join(dist, 'assets'), { recursive: true });
  await Promise.all([
    writeFile(join(dist, 'index.html'), page.html),
    writeFile(join(dist, 'assets', 'app.js'), page.js),
    writeFile(join(dist, 'assets', 'app.css'), page.css),
    cp(traceViewerDir(), join(dist, 'trace'), { recursive: true }),
  ]);
  return page;
}
