// Builds the status page from TypeScript: one bundled script, one stylesheet, one HTML shell.
// No CDN: everything the page needs is served by the status site itself.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { PageAssets } from './app.ts';

const PAGE = fileURLToPath(new URL('./page/', import.meta.url));

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
