import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildLambdaPackage, type LambdaPackage } from '../../scripts/build-lambda.ts';
import { whileBuildingPackage } from '../testing/packed.ts';

const EXTRACT = `
import os, sys, zipfile
archive = zipfile.ZipFile(sys.argv[1])
archive.extractall(sys.argv[2])
for info in archive.infolist():
    mode = info.external_attr >> 16
    if mode and not info.is_dir():
        os.chmod(os.path.join(sys.argv[2], info.filename), mode & 0o7777)
`;

describe('the Lambda deployment package', () => {
  let out: string;
  let built: LambdaPackage;
  let unzipped: string;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'uigate-lambda-build-'));
    built = await whileBuildingPackage(() => buildLambdaPackage(join(out, 'build')));
    unzipped = join(out, 'unzipped');
    // As Lambda does: extract, keeping each file's mode (esbuild and Chromium must stay executable).
    execFileSync('python3', ['-c', EXTRACT, built.zip, unzipped]);
  });
  after(() => rm(out, { recursive: true, force: true }));

  it('keeps executables executable in the zip', () => {
    const mode = execFileSync(
      'python3',
      [
        '-c',
        "import sys, zipfile; print(oct(zipfile.ZipFile(sys.argv[1]).getinfo('node_modules/@esbuild/linux-x64/bin/esbuild').external_attr >> 16))",
        built.zip,
      ],
      { encoding: 'utf8' },
    );
    assert.match(mode.trim(), /^0o100755$/);
  });

  it("carries Lambda's platform binaries (linux x64), whatever machine built it", () => {
    const natives = execFileSync(
      'python3',
      [
        '-c',
        "import sys, zipfile; print('\\n'.join(sorted({n.split('/')[2] for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith('node_modules/@esbuild/')})))",
        built.zip,
      ],
      { encoding: 'utf8' },
    );
    assert.deepEqual(natives.trim().split('\n'), ['linux-x64']);
  });

  it('carries a stand-in for the embedded store, which never runs in Lambda, not its native code', async () => {
    const manifest = JSON.parse(await readFile(join(unzipped, 'node_modules', 'dynalite', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(manifest.version, '0.0.0-not-in-lambda');
  });

  it("fits Lambda's 250 MB unzipped limit", () => {
    assert.ok(built.unzippedBytes < 250 * 1024 * 1024, `${built.unzippedBytes} bytes`);
  });

  it('holds uigate compiled as npm installs it, Chromium for Lambda, the status site, and no tests, sources or dev dependencies', () => {
    const uigate = 'node_modules/uigate/dist';
    for (const path of [
      'lambda.mjs',
      'status.mjs',
      'gate.mjs',
      'watch.mjs',
      `${uigate}/runner/lambda/handler.js`,
      `${uigate}/runner/playwright/reporter.js`,
      'node_modules/@sparticuz/chromium/bin/chromium.br',
      `${uigate}/status-site/dist/assets/app.js`,
      `${uigate}/status-site/dist/trace/index.html`,
      `${uigate}/status-site/dist/trace/sw.bundle.js`,
    ]) {
      assert.ok(existsSync(join(unzipped, path)), path);
    }
    // The suite comes with each run (the commit's test bundle), never frozen in here.
    for (const path of [
      'tests',
      'playwright.config.ts',
      'node_modules/@playwright/test',
      'node_modules/s3rver',
      'node_modules/typescript',
      'node_modules/aws-cdk-lib',
      'node_modules/uigate/runner',
      // The embedded store's LevelDB and its native addon: Lambda uses DynamoDB.
      'node_modules/classic-level',
      'node_modules/level',
      `${uigate}/runner/plan.test.js`,
      `${uigate}/runner/testing`,
    ]) {
      assert.ok(!existsSync(join(unzipped, path)), `${path} should not be in the package`);
    }
  });

  it("loads the pipeline watcher's entry point (watch.handler), which refuses settings it cannot use in one line", () => {
    const script = `const { handler } = await import('./watch.mjs'); await handler({ source: 'aws.codepipeline' }).catch((e) => console.log(e.message));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: unzipped,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', UIGATE_STORE: 'dynamodb', UIGATE_TABLE: 't', UIGATE_WATCH: '{}' },
    });
    assert.match(output, /UIGATE_WATCH must be JSON with "pipeline" and "stages"/);
  });

  it('loads from the unzipped package and answers through its entry point (lambda.handler)', () => {
    const script = `const { handler } = await import('./lambda.mjs'); const r = await handler({ runId: 'nope' }, { awsRequestId: 'r1' }); console.log(JSON.stringify(r));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: unzipped,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const response = JSON.parse(output.trim().split('\n').pop()!);
    assert.equal(response.ok, false);
    assert.equal(response.error.type, 'MalformedEvent');
    assert.equal(response.requestId, 'r1');
  });
});
