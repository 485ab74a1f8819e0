// Playwright's own trace viewer, served by the status site under /trace/, so a trace opens in the
// browser next to the run instead of being downloaded and opened with a command. It is the viewer
// Playwright's HTML report embeds (`playwright-core/lib/vite/traceViewer`), at the pinned version:
// it reads trace.zip through its service worker from /artifacts/ on the same origin.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { Hono } from 'hono';
import { policyHeader, traceViewerPolicy } from './policies.ts';
import { contentTypeOf } from '../../runner/core/content-types.ts';

/** The viewer's own kinds of file; nothing else of its folder is served. */
const SERVED = new Set(['.html', '.js', '.css', '.svg', '.ttf', '.webmanifest']);

/** Finds where the installed Playwright keeps its trace viewer. */
export function traceViewerDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('playwright-core/package.json')), 'lib', 'vite', 'traceViewer');
}

/** Lists the viewer's files, relative to its folder with '/' separators. */
export async function traceViewerFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/**
 * Serves GET /trace/<file> for exactly the files the viewer ships — looked up by name in a list
 * read once, so no path from a request ever reaches the file system.
 */
export function traceViewerRoutes(app: Hono, dir: string, directOrigins: readonly string[] = []) {
  const policy = policyHeader(traceViewerPolicy(directOrigins));
  let files: Promise<Map<string, string>> | undefined;
  const load = async () => {
    const names = await traceViewerFiles(dir).catch(() => []);
    return new Map(
      names.filter((name) => SERVED.has(extname(name))).map((name) => [name, join(dir, ...name.split('/'))]),
    );
  };
  app.get('/trace/*', async (c) => {
    const name = c.req.path.slice('/trace/'.length) || 'index.html';
    const path = (await (files ??= load())).get(name);
    if (!path) return c.text('not found', 404);
    return c.body(await readFile(path), 200, {
      'content-type': contentTypeOf(name),
      'content-security-policy': policy,
      // The file names carry content hashes, but index.html and the service worker do not.
      'cache-control': 'no-cache',
    });
  });
}
