// The Test stage's commands for a function behind an alias, run by a shell as CodeBuild runs them,
// with an `aws` on the PATH that answers as the AWS CLI does and writes down what it was asked:
// what is checked is our command line (the folder zipped, the upload's hash published, that
// version given to the alias), not AWS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Alias, Code, Function as LambdaFunction, Runtime, Version } from 'aws-cdk-lib/aws-lambda';
import { SiteDeployment } from './deployment.ts';

const FAKE_AWS = `#!/bin/sh
echo "$*" >> "$AWS_LOG"
case "$2" in
  update-function-code) echo "c2hhLW9mLXRoZS11cGxvYWQ=" ;;
  publish-version) echo "7" ;;
esac
`;

describe('a test environment behind a Lambda alias, deployed by the Test stage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-alias-commands-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('zips the folder, publishes exactly that upload, and points the alias at that version alone', async () => {
    const stack = new Stack(new App(), 'Api');
    const fn = new LambdaFunction(stack, 'Staging', {
      functionName: 'shop-api-staging',
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
    });
    const alias = new Alias(stack, 'Live', { aliasName: 'live', version: new Version(stack, 'First', { lambda: fn }) });
    const [command] = SiteDeployment.lambdaAlias({
      alias,
      directory: 'dist/api',
      url: 'https://x.example.com',
    }).commands();
    // As CloudFormation gives it to CodeBuild: the function's name in place of its reference.
    const resolved = stack.resolve(command) as { 'Fn::Join': [string, (string | { Ref: string })[]] };
    const line = resolved['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'shop-api-staging')).join('');
    const build = join(dir, 'build');
    await mkdir(join(build, 'dist', 'api'), { recursive: true });
    await writeFile(join(build, 'dist', 'api', 'index.mjs'), 'export const handler = async () => "new";');
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'aws'), FAKE_AWS);
    await chmod(join(dir, 'bin', 'aws'), 0o755);
    const log = join(dir, 'aws.log');
    execFileSync('/bin/sh', ['-c', line], {
      cwd: build,
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, AWS_LOG: log },
    });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    assert.deepEqual(calls, [
      'lambda wait function-updated-v2 --function-name shop-api-staging',
      'lambda update-function-code --function-name shop-api-staging --zip-file fileb:///tmp/uigate-function.zip --query CodeSha256 --output text',
      'lambda wait function-updated-v2 --function-name shop-api-staging',
      'lambda publish-version --function-name shop-api-staging --code-sha256 c2hhLW9mLXRoZS11cGxvYWQ= --query Version --output text',
      'lambda update-alias --function-name shop-api-staging --name live --function-version 7 --routing-config {"AdditionalVersionWeights":{}}',
    ]);
    assert.match(execFileSync('unzip', ['-Z1', '/tmp/uigate-function.zip'], { encoding: 'utf8' }), /^index\.mjs$/m);
  });
});
