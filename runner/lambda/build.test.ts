import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildLambdaPackage, type LambdaPackage } from './build.ts';

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
    built = await buildLambdaPackage(join(out, 'build'));
    unzipped = join(out, 'unzipped');
    // As Lambda does: extract, keeping each file's mode (esbuild and Chromium must stay executable).
    execFileSync('python3', ['-c', EXTRACT, built.zip, unzipped]);
  });
  after(() => rm(out, { recursive: true, force: true }));

  it('keeps executables executable in the zip', () => {
    const mode = execFileSync('python3', ['-c', "import sys, zipfile; print(oct(zipfile.ZipFile(sys.argv[1]).getinfo('node_modules/@esbuild/linux-x64/bin/esbuild').external_attr >> 16))", built.zip], { encoding: 'utf8' });
    assert.match(mode.trim(), /^0o100755$/);
  });

  it("fits Lambda's 250 MB unzipped limit", () => {
    assert.ok(built.unzippedBytes < 250 * 1024 * 1024, `${built.unzippedBytes} bytes`);
  });

  it('holds the handler, the test modules, Chromium for Lambda, and no dev dependencies or tests of uigate', () => {
    for (const path of ['lambda.mjs', 'playwright.config.ts', 'tests/button.spec.ts', 'runner/lambda/handler.ts', 'runner/reporter.ts', 'node_modules/@sparticuz/chromium/bin/chromium.br', 'node_modules/playwright-core/package.json', 'status-site/dist/assets/app.js', 'status-site/dist/trace/index.html', 'status-site/dist/trace/sw.bundle.js']) {
      assert.ok(existsSync(join(unzipped, path)), path);
    }
    for (const path of ['node_modules/s3rver', 'node_modules/typescript', 'runner/plan.test.ts', 'runner/testing']) {
      assert.ok(!existsSync(join(unzipped, path)), `${path} should not be in the package`);
    }
  });

  it("loads from the unzipped package and answers through its entry point (lambda.handler)", () => {
    const script = `const { handler } = await import('./lambda.mjs'); const r = await handler({ runId: 'nope' }, { awsRequestId: 'r1' }); console.log(JSON.stringify(r));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: unzipped, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const response = JSON.parse(output.trim().split('\n').pop()!);
    assert.equal(response.ok, false);
    assert.equal(response.error.type, 'MalformedEvent');
    assert.equal(response.requestId, 'r1');
  });
});
