import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { LocalArtifacts } from '../artifacts/local-artifacts.ts';
import { S3Artifacts } from '../artifacts/s3-artifacts.ts';
import { localS3, type LocalS3 } from '../testing/s3.ts';
import { seededStore, seedRun } from '../../status-site/testing/seed.ts';
import { releaseFolder as release } from '../testing/release-folder.ts';
import { CommandTarget } from './command-target.ts';
import { recordRelease } from './releases.ts';
import { promote, verifyRelease } from './verify.ts';
import { targetFrom } from './target-spec.ts';

/** The team's deploy: production is a folder the command replaces with the release's files. */
const DEPLOY =
  'rm -rf production && mkdir production && cp -R "$UIGATE_RELEASE_DIR/." production/ && echo "$UIGATE_RELEASE" > production/RELEASE';

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

describe('production deployed by the team’s own command', () => {
  let dir: string;
  let s3: LocalS3;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-command-target-'));
    s3 = await localS3('artifacts');
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stores: [string, () => ArtifactStore][] = [
    ['a local folder', () => new LocalArtifacts(join(dir, 'kept'))],
    ['an S3 bucket', () => new S3Artifacts({ bucket: s3.bucket, endpoint: s3.endpoint })],
  ];
  for (const [where, store] of stores)
    it(`keeps each release in ${where} and rolls back by running the command with the good release’s files`, async () => {
      const build = await mkdtemp(join(dir, 'build-'));
      const target = new CommandTarget('production', {
        command: DEPLOY,
        cwd: build,
        artifacts: store(),
        output: quiet(),
      });
      assert.equal(target.name, 'command:production');
      assert.equal(await target.live(), undefined);
      await target.stage('r1', await release(join(build, 'dist-1'), { 'index.html': 'one', 'assets/app.js': 'v1' }));
      await target.stage('r2', await release(join(build, 'dist-2'), { 'index.html': 'two' }));
      await target.publish('r2');
      assert.equal(await target.live(), 'r2');
      assert.equal(await readFile(join(build, 'production', 'index.html'), 'utf8'), 'two');
      assert.equal((await readFile(join(build, 'production', 'RELEASE'), 'utf8')).trim(), 'r2');
      // The build folder the release came from is gone by the rollback: the kept copy is used.
      await rm(join(build, 'dist-1'), { recursive: true });
      await target.publish('r1');
      assert.equal(await target.live(), 'r1');
      assert.deepEqual((await readdir(join(build, 'production'), { recursive: true })).sort(), [
        'RELEASE',
        'assets',
        'assets/app.js',
        'index.html',
      ]);
      assert.equal(await readFile(join(build, 'production', 'assets', 'app.js'), 'utf8'), 'v1');
    });

  it('fails a publish whose command fails, leaving the live release named as it was', async () => {
    const build = await mkdtemp(join(dir, 'build-'));
    const output: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output.push(chunk.toString());
        done();
      },
    });
    const artifacts = new LocalArtifacts(join(build, 'kept'));
    const good = new CommandTarget('live', { command: DEPLOY, cwd: build, artifacts, output: quiet() });
    await good.stage('ok', await release(join(build, 'ok'), { 'index.html': 'ok' }));
    await good.publish('ok');
    const failing = new CommandTarget('live', {
      command: 'echo "no credentials for the CDN" >&2; exit 7',
      cwd: build,
      artifacts,
      output: capture,
    });
    await failing.stage('broken', await release(join(build, 'broken'), { 'index.html': 'broken' }));
    await assert.rejects(
      failing.publish('broken'),
      /the deploy command of command:live exited 7 publishing release broken/,
    );
    assert.match(output.join(''), /no credentials for the CDN/, 'the command’s own words reach the terminal');
    assert.equal(await failing.live(), 'ok');
    await assert.rejects(good.publish('never-kept'), /release never-kept was never kept for command:live/);
    await assert.rejects(good.publish('../up'), /is not a safe name/);
  });

  it('is named on the command line with its deploy command, and refused without one', () => {
    const options = { cwd: dir, region: 'eu-west-1', artifacts: () => new LocalArtifacts(join(dir, 'kept')) };
    assert.equal(targetFrom('command:live', { ...options, deployCommand: DEPLOY }).name, 'command:live');
    assert.throws(() => targetFrom('command:live', options), /command:live needs --deploy-command "<command>"/);
    assert.throws(
      () => targetFrom('s3://bucket', { ...options, deployCommand: DEPLOY }),
      /--deploy-command and --keep-releases are for a command:<name> target/,
    );
    assert.throws(() => targetFrom('command:a/b', options), /is not a production target: use .* or command:<name>/);
    assert.throws(
      () => targetFrom('s3://bucket', { ...options, keepReleases: 's3://kept' }),
      /--deploy-command and --keep-releases are for a command:<name> target/,
    );
    assert.throws(
      () => targetFrom('command:live', { ...options, deployCommand: DEPLOY, keepReleases: 'ftp://x' }),
      /--keep-releases "ftp:\/\/x" is neither s3:\/\/<bucket>\[\/<prefix>\] nor a folder/,
    );
  });

  it('keeps releases where --keep-releases says: a bucket that does not expire them, under a prefix', async () => {
    const build = await mkdtemp(join(dir, 'build-'));
    const target = targetFrom('command:live', {
      cwd: build,
      region: 'eu-west-1',
      s3Endpoint: s3.endpoint,
      deployCommand: DEPLOY,
      keepReleases: `s3://${s3.bucket}/kept/`,
      // Never opened: --keep-releases wins.
      artifacts: () => assert.fail('the artifacts store is not where releases go'),
    });
    await (target as CommandTarget).stage('r9', await release(join(build, 'r9'), { 'index.html': 'nine' }));
    assert.deepEqual(await s3.keys('kept/'), ['kept/releases/command-live/r9/release.tgz']);
  });

  it('tells a rollback that failed from one that had nothing to go back to, and records it', async () => {
    const seed = await seededStore();
    try {
      const build = await mkdtemp(join(dir, 'build-'));
      // The CDN refuses the old release: the command fails for r1 only.
      const target = new CommandTarget('cdn', {
        command: `test "$UIGATE_RELEASE" != "${'r1'}" || exit 9`,
        cwd: build,
        artifacts: new LocalArtifacts(join(build, 'kept')),
        output: quiet(),
      });
      const runOf = async () =>
        (await seed.store.getRun(await seedRun(seed, [{ file: 'a.spec.ts', title: 'a', status: 'passed' }])))!;
      const [first, second] = [await runOf(), await runOf()];
      await target.stage('r1', await release(join(build, 'r1'), { 'index.html': 'one' }));
      await recordRelease(seed.store, target.name, 'r1', first, 'verified');
      await promote({
        store: seed.store,
        target,
        release: { releaseId: 'r2', run: second },
        fromDir: await release(join(build, 'r2'), { 'index.html': 'two' }),
        actor: 'test',
      });
      const alarm = async (names: readonly string[]) =>
        names.map((name) => ({ name, state: 'ALARM' as const, reason: 'smoke failing', actionsEnabled: true }));
      const result = await verifyRelease({
        store: seed.store,
        target,
        release: { releaseId: 'r2', run: second },
        alarms: { states: alarm, inspect: alarm },
        names: ['smoke'],
        actor: 'test',
        durationMs: 0,
        pollMs: 1,
      });
      assert.equal(result.healthy, false);
      assert.match(
        (!result.healthy && result.rollbackError) || '',
        /publishing r1 again on command:cdn failed: the deploy command of command:cdn exited 9/,
      );
      assert.equal(await target.live(), 'r2');
      const events = (await seed.store.listEvents(second.runId)).map((event) => event.type);
      assert.deepEqual(events.slice(-3), ['alarm', 'rollback-started', 'rollback-failed']);
    } finally {
      await seed.remove();
    }
  });
});
