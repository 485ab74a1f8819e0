// Paths of uigate's own modules that are loaded by file (reporters, the Lambda runtime): `.ts` when
// uigate runs from its sources (a checkout, through tsx), `.js` when it runs compiled (the package).
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The module `name` in the folder of `base` (an import.meta.url), with base's own extension. */
export function siblingModule(base: string, name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(base))}`, base));
}

/** Node arguments a child process needs to load such a module: tsx for sources, nothing compiled. */
export const loaderArgs = (base: string): string[] => (base.endsWith('.ts') ? ['--import', 'tsx'] : []);
