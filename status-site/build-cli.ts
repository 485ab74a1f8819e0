// npm run build: writes the status page to status-site/dist/ for deployment (Lambda, S3).
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildPage } from './build.ts';

const dist = fileURLToPath(new URL('./dist/', import.meta.url));
const page = await buildPage();
await mkdir(dist, { recursive: true });
await Promise.all([writeFile(`${dist}index.html`, page.html), writeFile(`${dist}app.js`, page.js), writeFile(`${dist}app.css`, page.css)]);
console.log(`status page written to ${dist} (app.js ${(page.js.length / 1024).toFixed(1)} KB)`);
