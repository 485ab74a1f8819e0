// Builds the Lambda deployment package: a zip of the handler, the test modules and the
// production dependencies, @sparticuz/chromium included. See the README for why a zip and not a
// container image or a layer. Usage: npm run build:lambda [-- --out dist/lambda]
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSite } from '../../status-site/build.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** What the function needs at run time, from the repository. */
const SOURCES = ['package.json', 'package-lock.json', 'playwright.config.ts', 'uigate.config.ts', 'tsconfig.json', 'runner', 'tests', 'status-site'];
const SKIP = (path: string) => /\.test\.ts$|(^|\/)testing(\/|$)|^status-site\/dist(\/|$)/.test(path);

/** The handler modules Lambda loads (`<file>.handler`): TypeScript through tsx, like the CLI. */
const ENTRIES: Record<string, { module: string; role: string }> = {
  'lambda.mjs': { module: './runner/lambda/handler.ts', role: 'the Lambda executor' },
  'status.mjs': { module: './status-site/lambda.ts', role: 'the status site and the approval function' },
  'gate.mjs': { module: './runner/gate/gate-function.ts', role: "the pipeline's gate (beforeEntry rule)" },
};

const entry = (file: string, { module, role }: { module: string; role: string }) => `// Lambda entry point of ${role} (handler: ${file.replace('.mjs', '')}.handler), loaded through tsx.
import { register } from 'tsx/esm/api';

register();
const module = await import('${module}');
export const handler = module.handler;
`;

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

export interface LambdaPackage {
  dir: string;
  zip: string;
  unzippedBytes: number;
  zippedBytes: number;
}

export async function buildLambdaPackage(out = join(REPO, 'dist', 'lambda')): Promise<LambdaPackage> {
  const dir = join(out, 'package');
  await rm(out, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const source of SOURCES) {
    await cp(join(REPO, source), join(dir, source), { recursive: true, filter: (path) => !SKIP(relative(REPO, path)) });
  }
  for (const [file, target] of Object.entries(ENTRIES)) await writeFile(join(dir, file), entry(file, target));
  // The status site, built ahead: the function serves it without building anything.
  await writeSite(join(dir, 'status-site', 'dist'));
  // Production dependencies only, exactly as locked; install scripts are not needed (prebuilt binaries ship in the packages).
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  await rm(join(dir, 'node_modules', '.bin'), { recursive: true, force: true });
  const zip = join(out, 'uigate-lambda.zip');
  const entries = await readdir(dir);
  execFileSync('python3', ['-m', 'zipfile', '-c', zip, ...entries], { cwd: dir, stdio: 'inherit' });
  return { dir, zip, unzippedBytes: await sizeOf(dir), zippedBytes: (await stat(zip)).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outFlag = process.argv.indexOf('--out');
  const built = await buildLambdaPackage(outFlag > 0 ? process.argv[outFlag + 1] : undefined);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(`Lambda package: ${built.zip}\n  zipped ${mb(built.zippedBytes)}, unzipped ${mb(built.unzippedBytes)} (Lambda's limit: 250 MB unzipped; upload through S3 above 50 MB zipped)\n  handler: lambda.handler · runtime nodejs20.x or later · architecture x86_64 · memory ≥ 2048 MB`);
}
