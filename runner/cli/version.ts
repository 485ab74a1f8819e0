// uigate's own version, from the package.json of the package this file is in: the source tree
// (runner/cli/) and the installed package (dist/runner/cli/) sit at different depths below it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reads the version of the nearest package.json above this file named "uigate". */
export function uigateVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (name === 'uigate' && version) return version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
