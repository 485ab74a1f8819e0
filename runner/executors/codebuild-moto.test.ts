// The CodeBuild executor's calls as moto_server's CodeBuild takes them: StartBuild on the worker
// project with its source and environment overrides, BatchGetBuilds until the build is done. moto
// runs nothing and reports every build SUCCEEDED at once, which is also what a project whose
// buildspec never runs the worker looks like: those units must run again, then be errored, never
// passed. A worker is played by the test where the container would be: on StartBuild's answer it
// takes the seat named in the environment overrides with the real protocol (seat-worker.ts) and
// writes its batches' results; BatchGetBuilds about its build waits until it has exited, as the
// build would run until then. moto's timestamps are rewritten into the protocol's epoch seconds
// (testing/moto.ts, epochTimestamps).
import assert from 'node:assert/strict';
import { CodeBuildClient, ListBuildsForProjectCommand, type EnvironmentVariable } from '@aws-sdk/client-codebuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENV } from '../core/env.ts';
import { newRunId, type UnitRef } from '../core/model.ts';
import { makeUnit } from '../playwright/list.ts';
import { exactQueue } from '../plan/queue.ts';
import { dispatch } from '../run/dispatch.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { createWorkerProject, epochTimestamps, motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { CodeBuildExecutor } from './codebuild.ts';
import { serveSeat } from './seat-worker.ts';
import { recordPassed } from '../testing/stand-in-worker.ts';

const skip = motoMissing();
const units: UnitRef[] = [0, 1].map((i) => makeUnit('/t/a.spec.ts', '/t', [`case ${i}`], 'chromium', i, 1));

describe('the CodeBuild executor against moto_server', { skip }, () => {
  let moto: Moto;
  let dir: string;
  let store: DynamoStore;

  before(async () => {
    moto = await startMoto();
    dir = await mkdtemp(join(tmpdir(), 'uigate-codebuild-moto-'));
    ({ store } = (await openEmbeddedStore(join(dir, 'dynamodb'))) as { store: DynamoStore });
    const client = epochTimestamps(new CodeBuildClient(moto.client));
    await createWorkerProject(client);
    client.destroy();
  });
  after(async () => {
    await store?.close();
    await moto?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A client whose builds take their seat and write their batches' results, as `uigate worker` does. */
  function clientWithWorker(): CodeBuildClient {
    const client = epochTimestamps(new CodeBuildClient(moto.client));
    const workers = new Map<string, Promise<unknown>>();
    client.middlewareStack.add(
      (next) => async (args) => {
        const ids = (args.input as { ids?: string[] }).ids;
        // BatchGetBuilds: moto says SUCCEEDED at once; the build is done when its worker is.
        if (ids) await Promise.all(ids.map((id) => workers.get(id)));
        const answer = await next(args);
        const overrides = (args.input as { environmentVariablesOverride?: EnvironmentVariable[] })
          .environmentVariablesOverride;
        const buildId = (answer.output as { build?: { id?: string } }).build?.id;
        if (overrides && buildId) {
          const env = Object.fromEntries(overrides.map((v) => [v.name, v.value]));
          const runId = env[ENV.runId]!;
          const worker = serveSeat(store, {
            runId,
            seatId: `${env[ENV.seat]!}.1`,
            buildId,
            pollMs: 5,
            runBatch: async ({ batchId, dispatchTry }) => {
              const keys = (await store.getBatch(runId, batchId, dispatchTry)) ?? [];
              await recordPassed(
                store,
                { runId, buildId, dispatchTry },
                units.filter((u) => keys.includes(u.key)),
              );
              return {};
            },
          });
          workers.set(buildId, worker);
        }
        return answer;
      },
      { step: 'initialize', name: 'workerInContainer' },
    );
    return client;
  }

  async function go(client: CodeBuildClient, projectName = 'uigate-worker') {
    const runId = newRunId();
    await store.queueUnits(runId, units);
    const requeues: string[] = [];
    const executor = new CodeBuildExecutor({
      projectName,
      region: 'us-east-1',
      concurrency: 1,
      results: store,
      store: { table: 'uigate', region: 'us-east-1' },
      artifacts: { bucket: 'artifacts' },
      sourceLocation: 'artifacts/source/abc123.zip',
      poll: { initialMs: 5, maxMs: 20 },
      seatPollMs: 5,
      idleMs: 50,
      throttle: { baseMs: 1, capMs: 5, maxTries: 1 },
      client,
    });
    const result = await dispatch({
      runId,
      queues: new Map([['codebuild', exactQueue(units, () => 1000, { executor: 'codebuild', slots: 1, startMs: 0 })]]),
      executors: new Map([['codebuild', executor]]),
      store,
      infraRetries: 1,
      batchTimeoutMs: 60_000,
      signal: new AbortController().signal,
      onRequeue: (u, error) => requeues.push(`${u.length}: ${error.message}`),
    });
    await executor.close();
    return { result, requeues, stored: await store.getUnits(runId) };
  }

  const builds = async () => {
    const client = epochTimestamps(new CodeBuildClient(moto.client));
    const { ids = [] } = await client.send(new ListBuildsForProjectCommand({ projectName: 'uigate-worker' }));
    client.destroy();
    return ids;
  };

  it('starts a build on the worker project, hands its worker the batch, and takes the results it wrote', async () => {
    const before = new Set(await builds());
    const { result, stored } = await go(clientWithWorker());
    const started = (await builds()).filter((id) => !before.has(id));
    assert.equal(started.length, 1);
    assert.match(started[0]!, /^uigate-worker:/);
    assert.equal(result.errored.size, 0);
    assert.deepEqual(
      stored.map((u) => [u.status, u.executorRef]),
      units.map(() => ['passed', started[0]]),
    );
  });

  it('runs again, then errors, the units of a build that succeeded without its worker ever taking its seat', async () => {
    const before = (await builds()).length;
    const { result, requeues, stored } = await go(epochTimestamps(new CodeBuildClient(moto.client)));
    assert.equal((await builds()).length - before, 2, 'one build, and one more try');
    assert.equal(requeues.length, 1);
    assert.match(
      requeues[0]!,
      /^2: CodeBuild uigate-worker:\S+: SUCCEEDED without its worker ever being ready: does the project's buildspec run `uigate worker` against table uigate\?/,
    );
    assert.equal(result.errored.size, 2);
    assert.ok(
      stored.every((u) => u.status === 'errored'),
      'never passed, never dropped',
    );
  });

  it('says which project CodeBuild does not know, and runs nothing', async () => {
    const { result, stored } = await go(epochTimestamps(new CodeBuildClient(moto.client)), 'uigate-wroker');
    assert.equal(result.errored.size, 2);
    const reason = [...result.errored.values()][0]!;
    assert.match(reason, /CodeBuild StartBuild failed: ResourceNotFoundException/);
    assert.ok(stored.every((u) => u.status === 'errored'));
  });
});
