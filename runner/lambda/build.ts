// Builds the Lambda deployment package: uigate as it is installed from npm (compiled, with its
// production dependencies) and @sparticuz/chromium, plus one entry module per function. No test
// modules: each run sends the commit's own suite (test-source.ts). See the README for why a zip
// and not a container image or a layer. `npm run build:lambda` zips it (scripts/build-lambda.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  // The embedded store (dynalite, with LevelDB's native addon) never runs in Lambda, which uses
  // DynamoDB: an empty stand-in takes its place, so its native code is not shipped.
  const stub = join(out, 'dynalite-not-in-lambda');
  mkdirSync(stub, { recursive: true });
  writeFileSync(
    join(stub, 'package.json'),
    JSON.stringify({ name: 'dynalite', version: '0.0.0-not-in-lambda', type: 'module', main: 'index.js' }),
  );
  writeFileSync(
    join(stub, 'index.js'),
    "export default function dynalite() {\n  throw new Error('the embedded store does not run in Lambda: set UIGATE_STORE=dynamodb');\n}\n",
  );
  const stubPacked = npm(['pack', stub, '--pack-destination', out, '--json'], out);
  const stubTarball = join(out, (JSON.parse(stubPacked) as { filename: string }[])[0]!.filename);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'uigate-lambda',
        private: true,
        type: 'module',
        dependencies: { uigate: `file:${tarball}`, '@sparticuz/chromium': chromium },
        // A tarball, so npm copies it in (a folder it would link, and a zip leaves links out).
        overrides: { dynalite: `file:${stubTarball}` },
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
