// What the constructs deploy by default comes from the uigate package the app installed: the
// Lambda package (built from it at synth time, once per uigate version), the status page it
// ships, and the Playwright version the project uses. Nothing is downloaded from this repository.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { assembleLambdaPackage } from '../runner/lambda/build.ts';

/** The uigate package these constructs came with: its folder holds package.json named uigate. */
export function uigatePackageRoot(from = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'uigate')
      return dir;
  }
  throw new Error(`uigate: no uigate package.json above ${from}`);
}

const versionOf = (manifest: string) => (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;

export interface LambdaCodeOptions {
  /** Where the package is assembled and kept. @default node_modules/.cache/uigate-lambda/<version> in the app's folder */
  readonly cacheDir?: string;
  /** The app's folder. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * The Lambda package of the executor, the status site and the gate, from the installed uigate:
 * packed, installed for Linux x64 with @sparticuz/chromium, kept per uigate version so a second
 * synth reuses it. Needs npm and its registry (or cache) the first time.
 */
export function uigateLambdaCode(options: LambdaCodeOptions = {}): Code {
  const root = uigatePackageRoot();
  const cache =
    options.cacheDir ??
    join(
      options.cwd ?? process.cwd(),
      'node_modules',
      '.cache',
      'uigate-lambda',
      versionOf(join(root, 'package.json')),
    );
  const dir = join(cache, 'package');
  if (!existsSync(join(dir, 'lambda.mjs'))) assembleLambdaPackage(root, cache);
  return Code.fromAsset(dir);
}

/** The status page the package ships (built by `npm pack`; in a checkout, `npm run build:package`). */
export function uigateStatusPage(): ISource {
  const root = uigatePackageRoot();
  const page = join(root, 'dist', 'status-site', 'dist');
  if (!existsSync(join(page, 'index.html')))
    throw new Error(
      `uigate: the status page is not built at ${page}; in a checkout of uigate, run npm run build:package`,
    );
  return Source.asset(page);
}

/** The @playwright/test version the app installed: the CodeBuild worker's image must match it. */
export function uigatePlaywrightVersion(cwd = process.cwd()): string {
  try {
    return versionOf(createRequire(join(cwd, 'package.json')).resolve('@playwright/test/package.json'));
  } catch {
    throw new Error(
      'uigate: @playwright/test is not installed where the CDK app runs; install it, or pass playwrightVersion (e.g. "1.64.1")',
    );
  }
}
