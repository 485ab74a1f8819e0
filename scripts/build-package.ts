// npm run build:package (npm pack runs it): compiles uigate's runtime to dist/ (JavaScript and type
// declarations), and builds the status page and Playwright's trace viewer beside it, so nothing
// in the installed package needs a TypeScript loader or a bundler.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSite } from '../status-site/hosting/build.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(REPO, 'dist');

await rm(join(DIST, 'runner'), { recursive: true, force: true });
await rm(join(DIST, 'status-site'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);
const page = await writeSite(join(DIST, 'status-site', 'dist'));
console.log(
  `uigate compiled to ${DIST} (status page ${(page.js.length / 1024).toFixed(0)} KB, trace viewer in dist/status-site/dist/trace)`,
);
