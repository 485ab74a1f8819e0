// npm run build: writes the status site to status-site/dist/ for deployment (Lambda, S3).
import { fileURLToPath } from 'node:url';
import { writeSite } from './build.ts';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const page = await writeSite(dist);
console.log(
  `status site written to ${dist} (app.js ${(page.js.length / 1024).toFixed(1)} KB, Playwright's trace viewer in trace/)`,
);
