// Loads uigate.config.ts as a module wherever uigate runs — its own process, or inside Playwright's
// (the reporter of a plain `npx playwright test`), where Playwright's loader hooks refuse a
// TypeScript file of a CommonJS project. esbuild compiles it to one ES module, its relative
// imports bundled in and packages left to resolve from the project's node_modules as usual.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Chooses where the compiled config goes: under the project's node_modules, so `import 'uigate'` resolves as in the source. */
function cacheDir(file: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'uigate');
  }
  return join(tmpdir(), 'uigate-config');
}

export async function importConfigModule(file: string): Promise<{ default?: unknown }> {
  if (extname(file) === '.mjs' || extname(file) === '.js')
    return (await import(pathToFileURL(file).href)) as { default?: unknown };
  const result = await build({
    entryPoints: [file],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const out = join(
    cacheDir(file),
    `uigate.config.${createHash('sha256').update(file).update(code).digest('hex').slice(0, 16)}.mjs`,
  );
  if (!existsSync(out)) {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, code);
  }
  return (await import(pathToFileURL(out).href)) as { default?: unknown };
}
