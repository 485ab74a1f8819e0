import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, type SeededStore } from '../../../status-site/testing/seed.ts';
import { approvedRun as approveFolder } from '../../testing/approved-run.ts';
import { recordRelease } from '../../verify/releases.ts';
import { startLambdaControlPlane, type LambdaControlPlane } from '../../testing/lambda-control-plane.ts';
import { runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';

const TARGET = 'lambda:shop-api:live';

describe('uigate promote and verify with production behind a Lambda alias or the team’s own command', () => {
  let seed: SeededStore;
  let plane: LambdaControlPlane;
  const folders: Record<string, string> = {};
  const cli = (args: string[]) =>
    runNode([UIGATE_BIN, ...args], seed.dir, {
      UIGATE_HOME: seed.dir,
      AWS_ENDPOINT_URL_LAMBDA: plane.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      // Nothing answers here: a bake that cannot watch is a bake that fails.
      UIGATE_CLOUDWATCH_ENDPOINT: 'http://127.0.0.1:9',
    });

  /** An approved run whose artifact is a function's folder. */
  const approvedRun = async (name: string, body: string) => {
    const dir = join(seed.dir, 'build', name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.mjs'), body);
    const runId = await approveFolder(seed, dir, 'api.spec.ts');
    folders[runId] = dir;
    return runId;
  };

  before(async () => {
    seed = await seededStore();
    plane = await startLambdaControlPlane('shop-api', 'live', Buffer.from('the function as CDK created it'));
  });
  after(async () => {
    await plane.close();
    await seed.remove();
  });

  it('pre-checks nothing before the first release, promotes the approved folder as a version, and rolls back to the last good one', async () => {
    const good = await approvedRun('good', 'export const handler = async () => "good";');
    const bad = await approvedRun('bad', 'export const handler = async () => { throw new Error("bad"); };');

    const first = await cli(['verify', '--preflight', '--release', good, '--target', TARGET, '--alarm', 'smoke']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /nothing uigate released is live on lambda:shop-api:live \(it serves 1\): a first release/,
    );

    const noFolder = await cli(['promote', '--release', good, '--target', TARGET]);
    assert.equal(noFolder.code, 2);
    assert.match(
      noFolder.stderr,
      /--from <dir> is required: lambda:shop-api:live is promoted from the function's folder/,
    );

    const promoted = await cli(['promote', '--release', good, '--target', TARGET, '--from', folders[good]!]);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stderr, new RegExp(`promoted ${good} on lambda:shop-api:live as version 2 \\(was 1\\)`));
    assert.equal(plane.alias(), '2');
    // Its bake passed (CloudWatch is not here to say so).
    await recordRelease(seed.store, TARGET, '2', (await seed.store.getRun(good))!, 'verified');

    const next = await cli(['promote', '--release', bad, '--target', TARGET, '--from', folders[bad]!]);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(plane.alias(), '3');

    // --release names the run, as the pipeline passes it; the alias knows the release as version 3.
    const baked = await cli([
      'verify',
      ...['--release', bad, '--target', TARGET, '--alarm', 'smoke', '--bake', '1s', '--poll', '1s'],
    ]);
    assert.equal(baked.code, 3, baked.stderr);
    assert.match(baked.stderr, /baking release 3 on lambda:shop-api:live/);
    assert.match(baked.stderr, /CANNOT WATCH/);
    assert.match(baked.stderr, /rolled back: lambda:shop-api:live serves release 2 again/);
    assert.equal(plane.alias(), '2');
    const releases = await seed.store.listReleases(TARGET);
    assert.deepEqual(releases.map((r) => [r.releaseId, r.runId, r.status]).sort(), [
      ['2', good, 'verified'],
      ['3', bad, 'failed'],
    ]);
  });

  it('keeps each release for a command target, runs the team’s command, and runs it again with the good release to roll back', async () => {
    const good = await approvedRun('site-good', '<h1>good</h1>');
    const bad = await approvedRun('site-bad', '<h1>bad</h1>');
    const deploy = [
      '--deploy-command',
      'rm -rf live && cp -R "$UIGATE_RELEASE_DIR" live && echo "deployed $UIGATE_RELEASE"',
    ];
    const target = ['--target', 'command:production', ...deploy];

    const missing = await cli([
      'promote',
      '--release',
      good,
      '--target',
      'command:production',
      '--from',
      folders[good]!,
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /command:production needs --deploy-command "<command>"/);

    const first = await cli(['promote', '--release', good, ...target, '--from', folders[good]!]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`deployed ${good}`), 'the command’s output reaches the terminal');
    assert.equal(await readFile(join(seed.dir, 'live', 'index.mjs'), 'utf8'), '<h1>good</h1>');
    await recordRelease(seed.store, 'command:production', good, (await seed.store.getRun(good))!, 'verified');

    const second = await cli(['promote', '--release', bad, ...target, '--from', folders[bad]!]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await readFile(join(seed.dir, 'live', 'index.mjs'), 'utf8'), '<h1>bad</h1>');
    await rm(folders[good]!, { recursive: true });

    const baked = await cli([
      'verify',
      '--release',
      bad,
      ...target,
      '--alarm',
      'smoke',
      '--bake',
      '1s',
      '--poll',
      '1s',
    ]);
    assert.equal(baked.code, 3, baked.stderr);
    assert.match(baked.stderr, /rolled back: command:production serves release .* again/);
    assert.equal(await readFile(join(seed.dir, 'live', 'index.mjs'), 'utf8'), '<h1>good</h1>', 'from the kept copy');
  });
});
