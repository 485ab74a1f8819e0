import assert from 'node:assert/strict';
import { BatchGetBuildsCommand, CodeBuildClient, type Build } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BuildWatcher, MAX_IDS } from './build-watcher.ts';
import { checkRequests } from '../testing/botocore-model.ts';

describe('following builds with BatchGetBuilds', () => {
  const codebuild = mockClient(CodeBuildClient);
  afterEach(checkRequests(codebuild, 'codebuild'));
  beforeEach(() => codebuild.reset());

  const watcher = () =>
    new BuildWatcher(new CodeBuildClient({ region: 'eu-west-1' }), {
      poll: { initialMs: 5, maxMs: 10 },
      throttle: { baseMs: 1, capMs: 2 },
    });

  it('follows 250 builds in flight with calls of at most 100 ids, every build asked about each poll', async () => {
    let polls = 0;
    codebuild.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => {
      polls++;
      // Everything runs through the first round of calls, then is done.
      const status = polls <= 3 ? 'IN_PROGRESS' : 'SUCCEEDED';
      return { builds: ids.map((id): Build => ({ id, buildStatus: status })) };
    });
    const builds = watcher();
    const ids = Array.from({ length: 250 }, (_, i) => `uigate-worker:b${i}`);
    const done = await Promise.all(ids.map((id) => builds.until(id, new AbortController().signal)));
    builds.close();
    const calls = codebuild.commandCalls(BatchGetBuildsCommand).map((call) => call.args[0].input.ids!);
    assert.ok(
      calls.every((asked) => asked.length >= 1 && asked.length <= MAX_IDS),
      'within the API’s 1–100 ids',
    );
    assert.equal(calls.length, 6, 'two polls, three calls each: not one call per build');
    assert.deepEqual(calls.slice(0, 3).flat().sort(), [...ids].sort());
    assert.ok(done.every((build) => build?.buildStatus === 'SUCCEEDED'));
  });

  it('says a build the API no longer returns is gone, and keeps following the others', async () => {
    let polls = 0;
    codebuild.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => {
      polls++;
      return {
        builds: ids
          .filter((id) => id !== 'uigate-worker:gone')
          .map((id): Build => ({ id, buildStatus: polls < 2 ? 'IN_PROGRESS' : 'FAILED' })),
      };
    });
    const builds = watcher();
    const signal = new AbortController().signal;
    const [gone, failed] = await Promise.all([
      builds.until('uigate-worker:gone', signal),
      builds.until('uigate-worker:kept', signal),
    ]);
    builds.close();
    assert.equal(gone, undefined);
    assert.equal(failed?.buildStatus, 'FAILED');
  });

  it('stops following a build whose batch is stopped, with the batch’s reason', async () => {
    codebuild.on(BatchGetBuildsCommand).resolves({ builds: [{ id: 'uigate-worker:c', buildStatus: 'IN_PROGRESS' }] });
    const builds = watcher();
    const controller = new AbortController();
    const following = builds.until('uigate-worker:c', controller.signal);
    controller.abort(new Error('run cancelled'));
    await assert.rejects(following, /run cancelled/);
    builds.close();
  });
});
