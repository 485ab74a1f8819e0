// The Test stage's build phase, run as CodeBuild runs it: its commands in dash, the real `aws` CLI
// against moto_server's S3, `npx … uigate` stood in for by a script that exits as uigate would,
// on a checkout with .git and on one without. What decides whether the gate ever sees a run.
import assert from 'node:assert/strict';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Source } from 'aws-cdk-lib/aws-s3-deployment';
import { REPO } from '../runner/testing/fixture-project.ts';
import { runPhase } from '../runner/testing/buildspec-shell.ts';
import { motoMissing, startMoto, type Moto } from '../runner/testing/moto.ts';
import { PipelineSource, SiteDeployment, Uigate, UigatePipeline, WebSite } from './index.ts';

const skip = motoMissing() ?? (spawnOk('aws') ? undefined : 'the aws CLI is not installed');

function spawnOk(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `npx --no-install uigate …` as the stage calls it: a digest, or a run that writes its exports and exits RUN_EXIT. */
const NPX = `#!/bin/sh
[ "$1" = --no-install ] && shift
[ "$1" = uigate ] || { echo "unexpected npx $*" >&2; exit 2; }
case "$2" in
  digest) echo "sha256:00ff" ;;
  run) mkdir -p reports; printf 'UIGATE_RUN_ID=20261206T000000000Z-test\\n' > reports/run.env; exit "$RUN_EXIT" ;;
  *) echo "unexpected uigate $2" >&2; exit 2 ;;
esac
`;

/** The Test stage project's build commands, with the stack's references named as given. */
function testStageCommands(names: Record<string, string>): string[] {
  const stack = new Stack(new App(), 'Shop');
  const uigate = new Uigate(stack, 'Uigate', {
    code: Code.fromInline('export const handler = async () => ({});'),
    page: Source.data('index.html', '<!doctype html>'),
    playwrightVersion: '1.64.1',
  });
  const staging = new WebSite(stack, 'Staging', { comment: 'staging', logs: uigate.logs });
  const live = new WebSite(stack, 'Live', { comment: 'live', logs: uigate.logs, versioned: true });
  new UigatePipeline(stack, 'Release', {
    uigate,
    source: PipelineSource.connection({
      connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/x',
      owner: 'o',
      repo: 'r',
    }),
    testEnvironment: SiteDeployment.s3Site(staging, 'tests/site'),
    production: SiteDeployment.s3Site(live, 'tests/site'),
  });
  const [, project] = Object.entries(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')).find(([id]) =>
    id.startsWith('ReleaseOrchestrator'),
  )!;
  const parts = (project.Properties.Source.BuildSpec as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref ?? '';
      const name = Object.keys(names).find((prefix) => ref.startsWith(prefix));
      return name ? names[name] : 'unused';
    })
    .join('');
  return (JSON.parse(text) as { phases: { build: { commands: string[] } } }).phases.build.commands;
}

describe("the Test stage's build phase, in dash with the aws CLI against moto_server", { skip }, () => {
  let moto: Moto;
  let s3: S3Client;
  let dir: string;
  let commands: string[];
  const COMMIT = '0123456789abcdef0123456789abcdef01234567';

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.client, forcePathStyle: true });
    for (const Bucket of ['shop-artifacts', 'shop-staging']) await s3.send(new CreateBucketCommand({ Bucket }));
    dir = await mkdtemp(join(tmpdir(), 'uigate-test-stage-'));
    commands = testStageCommands({ StagingContentBucket: 'shop-staging' });
  });
  after(async () => {
    s3?.destroy();
    await moto?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A checkout of the team's repository, as the Build stage hands it on. */
  async function checkout(name: string, git: boolean): Promise<string> {
    const folder = join(dir, name);
    await mkdir(join(folder, 'tests'), { recursive: true });
    await cp(join(REPO, 'tests', 'site'), join(folder, 'tests', 'site'), { recursive: true });
    await writeFile(join(folder, 'package.json'), '{"name":"shop"}\n');
    if (git) {
      const g = (...args: string[]) => execFileSync('git', args, { cwd: folder, stdio: 'ignore' });
      g('init', '-q');
      g('add', '.');
      g('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'site');
    }
    return folder;
  }

  async function stage(folder: string, runExit: number) {
    const bin = join(folder, '..', `${folder.split('/').pop()}-bin`);
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'npx'), NPX, { mode: 0o755 });
    return runPhase(
      commands,
      folder,
      {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: process.env.HOME,
        PYENV_ROOT: process.env.PYENV_ROOT,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_DEFAULT_REGION: 'us-east-1',
        UIGATE_ARTIFACTS_BUCKET: 'shop-artifacts',
        UIGATE_COMMIT: COMMIT,
        TEST_SITE_URL: 'https://staging.example.com',
        RUN_EXIT: String(runExit),
      },
      'echo "exported UIGATE_RUN_ID=$UIGATE_RUN_ID"',
    );
  }

  async function sourceZipEntries(): Promise<string[]> {
    const object = await s3.send(new GetObjectCommand({ Bucket: 'shop-artifacts', Key: `source/${COMMIT}.zip` }));
    const zip = join(dir, 'source.zip');
    await writeFile(zip, await object.Body!.transformToByteArray());
    return execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
  }

  it('hands a completed run with failed tests on to the gate: the stage passes and exports the run', async () => {
    const result = await stage(await checkout('failed-tests', true), 1);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /exported UIGATE_RUN_ID=20261206T000000000Z-test/);
    const site = await s3.send(new ListObjectsV2Command({ Bucket: 'shop-staging' }));
    assert.ok(
      site.Contents?.some((object) => object.Key === 'index.html'),
      'the test environment was deployed',
    );
    // git's archive of the commit: its files, nothing the build left untracked.
    assert.deepEqual((await sourceZipEntries()).filter((entry) => !entry.endsWith('/')).slice(0, 2), [
      'package.json',
      'tests/site/button.html',
    ]);
  });

  it('fails the stage when units could not run (3) or the input was bad (2): no run for the gate to judge', async () => {
    const folder = await checkout('errored', true);
    for (const code of [3, 2]) {
      const result = await stage(folder, code);
      assert.notEqual(result.status, 0, `uigate run exited ${code}: ${result.stderr}`);
      assert.doesNotMatch(result.stdout, /exported/);
    }
  });

  it('zips the folder itself when the checkout has no .git, rather than failing on a half-written archive', async () => {
    const result = await stage(await checkout('no-git', false), 0);
    assert.equal(result.status, 0, result.stderr);
    const entries = await sourceZipEntries();
    assert.ok(entries.includes('tests/site/index.html'), entries.join(', '));
    assert.ok(!entries.some((entry) => entry.startsWith('.git/')));
  });
});
