// The status page's files as this install has them: built ahead into the package (and the Lambda
// package) next to the compiled code, or built now from the page's TypeScript in a checkout, so
// an edit to the page shows at the next `uigate serve` without a build step.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PageAssets } from '../app/app.ts';

/** Where `npm run build` and the package build write the site: `dist/` beside this module. */
export const BUILT_SITE = fileURLToPath(new URL('../dist/', import.meta.url));

export async function readBuiltPage(dir: string): Promise<PageAssets> {
  const [html, js, css] = await Promise.all(
    ['index.html', 'assets/app.js', 'assets/app.css'].map((name) => readFile(join(dir, name), 'utf8')),
  );
  return { html: html!, js: js!, css: css! };
}

/** Finds the page: compiled (the package), the page built with it. From sources (a checkout): built now, with esbuild. */
export function installedPage(): () => Promise<PageAssets> {
  if (!import.meta.url.endsWith('.ts')) return () => readBuiltPage(BUILT_SITE);
  return async () => (await import('./build.ts')).buildPage();
}
