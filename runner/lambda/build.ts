// Builds the Lambda deployment package: uigate as it is installed from npm (compiled, with its
// production dependencies) and @sparticuz/chromium, plus one entry module per function. No test
// modules: each run sends the commit's own suite (test-source.ts). See the README for why a zip
// and not a container image or a layer. Usage: npm run build:lambda [-- --out dist/lambda]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The handler modules Lambda loads (`<file>.handler`), from the installed package's compiled code. */
const ENTRIES: Record<string, { module: string; role: string }> = {
  'lambda.mjs': { module: './node_modules/uigate/dist/runner/lambda/handler.js', role: 'the Lambda executor' },
  'status.mjs': {
    module: './node_modules/uigate/dist/status-site/lambda.js',
    role: 'the status site and the approval function',
  },
  'gate.mjs': {
    module: './node_modules/uigate/dist/runner/gate/gate-function.js',
    role: "the pipeline's gate (beforeEntry rule)",
  },
  'watch.mjs': {
    module: './node_modules/uigate/dist/runner/watch/watch-function.js',
    role: 'the pipeline watcher (stage notifications and approval reminders)',
  },
};

const entry = (
  file: string,
  { module, role }: { module: string; role: string },
) => `// Lambda entry point of ${role} (handler: ${file.replace('.mjs', '')}.handler).
export { handler } from '${module}';
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

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });

/**
 * Assembles the package's folder from a uigate package folder (this repository after
 * `build:package`, or uigate as a project installed it): that package packed, installed with its
 * production dependencies and @sparticuz/chromium, the entry modules beside. Synchronous: a CDK
 * construct builds it while the app is synthesized (cdk/installed.ts).
 */
export function assembleLambdaPackage(packageRoot: string, out: string): string {
  const dir = join(out, 'package');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // uigate exactly as a project installs it: packed as `files` names it (no build: it is built).
  const packed = npm(['pack', packageRoot, '--ignore-scripts', '--pack-destination', out, '--json'], out);
  const tarball = join(out, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const chromium = manifest.devDependencies?.['@sparticuz/chromium'];
  if (!chromium) throw new Error(`${packageRoot}/package.json names no @sparticuz/chromium version to package`);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'uigate-lambda',
        private: true,
        type: 'module',
        dependencies: { uigate: `file:${tarball}`, '@sparticuz/chromium': chromium },
      },
      null,
      2,
    ),
  );
  // Production dependencies only, for Lambda's platform whatever this machine is (a package built
  // on a Mac or on arm64 must not carry that platform's native binaries); no install scripts
  // (prebuilt binaries ship in the packages).
  npm(['install', '--omit=dev', '--omit=peer', '--ignore-scripts', '--prefer-offline', '--os=linux', '--cpu=x64'], dir);
  rmSync(join(dir, 'node_modules', '.bin'), { recursive: true, force: true });
  rmSync(join(dir, 'package-lock.json'), { force: true });
  for (const [file, target] of Object.entries(ENTRIES)) writeFileSync(join(dir, file), entry(file, target));
  return dir;
}

/** This repository's package: compiled, assembled, zipped (`npm run build:lambda`). */
export async function buildLambdaPackage(out = join(REPO, 'dist', 'lambda')): Promise<LambdaPackage> {
  execFileSync('npm', ['run', 'build:package', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = assembleLambdaPackage(REPO, out);
  const zip = join(out, 'uigate-lambda.zip');
  const entries = await readdir(dir);
  execFileSync('python3', ['-m', 'zipfile', '-c', zip, ...entries], { cwd: dir, stdio: 'inherit' });
  return { dir, zip, unzippedBytes: await sizeOf(dir), zippedBytes: (await stat(zip)).size };
}

// Run as a script. Not a top-level await: uigate/cdk imports this module, and a CommonJS CDK app
// (what `cdk init app --language typescript` makes) can require() only modules without one.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outFlag = process.argv.indexOf('--out');
  void buildLambdaPackage(outFlag > 0 ? process.argv[outFlag + 1] : undefined).then((built) => {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `Lambda package: ${built.zip}\n  zipped ${mb(built.zippedBytes)}, unzipped ${mb(built.unzippedBytes)} (Lambda's limit: 250 MB unzipped; upload through S3 above 50 MB zipped)\n  handler: lambda.handler · runtime nodejs22.x · architecture x86_64 · memory ≥ 2048 MB`,
    );
  });
}
