// npm run build:lambda [-- --out dist/lambda]: this repository's Lambda package — compiled,
// assembled as a project installs uigate (runner/lambda/build.ts), and zipped by uigate's own zip
// writer (file modes kept: esbuild and Chromium stay executable), no Python or zip tool needed.
import { execFileSync } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleLambdaPackage } from '../runner/lambda/build.ts';
import { zipFolder } from '../runner/verify/zip-folder.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));

export interface LambdaPackage {
  dir: string;
  zip: string;
  unzippedBytes: number;
  zippedBytes: number;
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

/** This repository's package: compiled, assembled, zipped. */
export async function buildLambdaPackage(out = join(REPO, 'dist', 'lambda')): Promise<LambdaPackage> {
  execFileSync('npm', ['run', 'build:package', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = assembleLambdaPackage(REPO, out);
  const zip = join(out, 'uigate-lambda.zip');
  await writeFile(zip, await zipFolder(dir));
  return { dir, zip, unzippedBytes: await sizeOf(dir), zippedBytes: (await stat(zip)).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outFlag = process.argv.indexOf('--out');
  const built = await buildLambdaPackage(outFlag > 0 ? process.argv[outFlag + 1] : undefined);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `Lambda package: ${built.zip}\n  zipped ${mb(built.zippedBytes)}, unzipped ${mb(built.unzippedBytes)} (Lambda's limit: 250 MB unzipped; upload through S3 above 50 MB zipped)\n  handler: lambda.handler · runtime nodejs22.x · architecture x86_64 · memory ≥ 2048 MB`,
  );
}
