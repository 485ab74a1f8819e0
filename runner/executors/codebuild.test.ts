import assert from 'node:assert/strict';
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
} from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { dispatch } from '../run/dispatch.ts';
import { makeUnit } from '../playwright/list.ts';
import { newRunId, type UnitRef } from '../core/model.ts';
import { exactQueue } from '../plan/queue.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { CodeBuildExecutor } from './codebuild.ts';
import { checkRequests } from '../testing/botocore-model.ts';

const units: UnitRef[] = [0, 1, 2].map((i) => makeUnit('/t/a.spec.ts', '/t', [`case ${i}`], 'firefox', i, 1));

describe('the CodeBuild executor', () => {
  const codebuild = mockClient(CodeBuildClient);
  afterEach(checkRequests(codebuild, 'codebuild'));
  let dir: string;
  let store: DynamoStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-codebuild-'));
    ({ store } = (await openEmbeddedStore(join(dir, 'dynamodb'))) as { store: DynamoStore });
  });
  beforeEach(() => codebuild.reset());
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** What a worker in the container would have written: these units finished by that build. */
  const workerRecords = (runId: string, buildId: string, done: UnitRef[], dispatchTry = 1) =>
    Promise.all(
      done.map((unit) =>
        store.recordUnit({
          ...unit,
          runId,
          status: 'passed',
          seq: dispatchTry * 1000,
          attempt: 1,
          executor: 'codebuild',
          executorRef: buildId,
        }),
      ),
    );

  const executor = (workers?: number) =>
    new CodeBuildExecutor({
      projectName: 'uigate-worker',
      region: 'eu-west-1',
      concurrency: 2,
      ...(workers ? { workers } : {}),
      results: store,
      store: { table: 'uigate', region: 'eu-west-1' },
      artifacts: { bucket: 'artifacts', prefix: 'runs/' },
      baseURL: 'https://test.example.com',
      sourceLocation: 'artifacts/source/abc123.zip',
      poll: { initialMs: 5, maxMs: 20 },
      throttle: { baseMs: 1, capMs: 5 },
      client: new CodeBuildClient({ region: 'eu-west-1' }),
    });

  async function go(runId: string, options: { signal?: AbortSignal; infraRetries?: number; workers?: number } = {}) {
    await store.queueUnits(runId, units);
    const requeues: string[] = [];
    const result = await dispatch({
      runId,
      queues: new Map([
        [
          'codebuild',
          exactQueue(units, () => 1000, {
            executor: 'codebuild',
            slots: 1,
            startMs: 0,
            ...(options.workers ? { workersEach: options.workers } : {}),
          }),
        ],
      ]),
      executors: new Map([['codebuild', executor(options.workers)]]),
      store,
      infraRetries: options.infraRetries ?? 2,
      batchTimeoutMs: 60_000,
      signal: options.signal ?? new AbortController().signal,
      onRequeue: (u, error) => requeues.push(`${u.length}: ${error.message}`),
    });
    return { result, requeues, stored: await store.getUnits(runId) };
  }

  it('starts one build per batch with the run, batch and try in environment overrides, and the batch in the table', async () => {
    const runId = newRunId();
    codebuild.on(StartBuildCommand).resolves({ build: { id: 'uigate-worker:b1' } });
    let polls = 0;
    codebuild.on(BatchGetBuildsCommand).callsFake(async () => {
      polls++;
      if (polls === 1) return { builds: [{ id: 'uigate-worker:b1', buildStatus: 'IN_PROGRESS' }] };
      await workerRecords(runId, 'uigate-worker:b1', units);
      return { builds: [{ id: 'uigate-worker:b1', buildStatus: 'SUCCEEDED' } satisfies Build] };
    });
    const { stored, result } = await go(runId);
    const start = codebuild.commandCalls(StartBuildCommand)[0]!.args[0].input;
    const env = Object.fromEntries(start.environmentVariablesOverride!.map((v) => [v.name, v.value]));
    assert.equal(start.projectName, 'uigate-worker');
    assert.deepEqual([start.sourceTypeOverride, start.sourceLocationOverride], ['S3', 'artifacts/source/abc123.zip']);
    assert.deepEqual(
      [
        env.UIGATE_RUN_ID,
        env.UIGATE_BATCH_ID,
        env.UIGATE_DISPATCH,
        env.UIGATE_TABLE,
        env.UIGATE_ARTIFACTS_BUCKET,
        env.BASE_URL,
      ],
      [runId, 'codebuild-001', '1', 'uigate', 'artifacts', 'https://test.example.com'],
    );
    assert.deepEqual(await store.getBatch(runId, 'codebuild-001', 1), [units.map((u) => u.key)], 'one lane');
    assert.ok(polls >= 2, 'polled until the build finished');
    assert.equal(result.errored.size, 0);
    assert.ok(stored.every((u) => u.status === 'passed' && u.executorRef === 'uigate-worker:b1'));
    assert.equal(env.UIGATE_WORKERS, undefined, 'one Playwright worker unless configured');
  });

  it('gives a build of several workers its batch in lanes, and runs again only what each lane left', async () => {
    const runId = newRunId();
    let builds = 0;
    codebuild.on(StartBuildCommand).callsFake(async () => ({ build: { id: `uigate-worker:w${++builds}` } }));
    codebuild.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => {
      const id = ids[0]!;
      if (id === 'uigate-worker:w1') {
        // The container died after one lane's first test.
        await workerRecords(runId, id, units.slice(0, 1));
        return { builds: [{ id, buildStatus: 'FAILED' }] };
      }
      await workerRecords(runId, id, units.slice(1), 2);
      return { builds: [{ id, buildStatus: 'SUCCEEDED' }] };
    });
    await go(runId, { workers: 2 });
    const start = codebuild.commandCalls(StartBuildCommand)[0]!.args[0].input;
    assert.equal(start.environmentVariablesOverride!.find((v) => v.name === 'UIGATE_WORKERS')?.value, '2');
    // Three one-second tests in two lanes: two in one, one in the other.
    const first = (await store.getBatch(runId, 'codebuild-001', 1))!;
    assert.deepEqual(first.map((lane) => lane.length).sort(), [1, 2]);
    assert.deepEqual(first.flat().sort(), units.map((unit) => unit.key).sort());
    // The retry keeps the lanes, less the test that finished.
    const done = units[0]!.key;
    assert.deepEqual(
      await store.getBatch(runId, 'codebuild-001.2', 2),
      first.map((lane) => lane.filter((key) => key !== done)).filter((lane) => lane.length),
    );
  });

  it('re-queues the unfinished units of a failed build, and only those', async () => {
    const runId = newRunId();
    let builds = 0;
    codebuild.on(StartBuildCommand).callsFake(async () => ({ build: { id: `uigate-worker:b${++builds}` } }));
    codebuild.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => {
      const id = ids[0]!;
      if (id === 'uigate-worker:b1') {
        await workerRecords(runId, id, units.slice(0, 1));
        return {
          builds: [
            {
              id,
              buildStatus: 'FAILED',
              phases: [
                { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ message: 'container ran out of memory' }] },
              ],
            },
          ],
        };
      }
      await workerRecords(runId, id, units.slice(1), 2);
      return { builds: [{ id, buildStatus: 'SUCCEEDED' }] };
    });
    const { stored, requeues } = await go(runId);
    assert.deepEqual(requeues, ['2: CodeBuild uigate-worker:b1: FAILED in BUILD: container ran out of memory']);
    const second = codebuild.commandCalls(StartBuildCommand)[1]!.args[0].input;
    assert.equal(second.environmentVariablesOverride!.find((v) => v.name === 'UIGATE_DISPATCH')!.value, '2');
    assert.deepEqual((await store.getBatch(runId, 'codebuild-001.2', 2))?.flat().length, 2);
    assert.ok(stored.every((u) => u.status === 'passed'));
    assert.deepEqual(stored.map((u) => u.executorRef).sort(), [
      'uigate-worker:b1',
      'uigate-worker:b2',
      'uigate-worker:b2',
    ]);
  });

  it('treats a build BatchGetBuilds no longer returns as lost, and errors its units after the retries', async () => {
    const runId = newRunId();
    codebuild.on(StartBuildCommand).resolves({ build: { id: 'uigate-worker:gone' } });
    codebuild.on(BatchGetBuildsCommand).resolves({ builds: [] });
    const { stored, result } = await go(runId, { infraRetries: 1 });
    assert.equal(codebuild.commandCalls(StartBuildCommand).length, 2);
    assert.equal(result.errored.size, 3);
    assert.ok(stored.every((u) => u.status === 'errored'));
    assert.match(stored[0]!.error!.message, /CodeBuild uigate-worker:gone is gone.*gave up after 2 tries/);
  });

  it('retries a throttled StartBuild with backoff', async () => {
    const runId = newRunId();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    codebuild
      .on(StartBuildCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ build: { id: 'uigate-worker:t' } });
    codebuild.on(BatchGetBuildsCommand).callsFake(async () => {
      await workerRecords(runId, 'uigate-worker:t', units);
      return { builds: [{ id: 'uigate-worker:t', buildStatus: 'SUCCEEDED' }] };
    });
    const { stored } = await go(runId);
    assert.equal(codebuild.commandCalls(StartBuildCommand).length, 3);
    assert.ok(stored.every((u) => u.status === 'passed'));
  });

  it('stops the build when the run is cancelled', async () => {
    const runId = newRunId();
    const controller = new AbortController();
    codebuild.on(StartBuildCommand).resolves({ build: { id: 'uigate-worker:c' } });
    codebuild.on(BatchGetBuildsCommand).callsFake(async () => {
      controller.abort();
      return { builds: [{ id: 'uigate-worker:c', buildStatus: 'IN_PROGRESS' }] };
    });
    codebuild.on(StopBuildCommand).resolves({});
    await go(runId, { signal: controller.signal });
    assert.deepEqual(
      codebuild.commandCalls(StopBuildCommand).map((c) => c.args[0].input.id),
      ['uigate-worker:c'],
    );
  });

  it('stops a build it can no longer follow before its units run again elsewhere (not paid twice)', async () => {
    const runId = newRunId();
    codebuild
      .on(StartBuildCommand)
      .resolvesOnce({ build: { id: 'uigate-worker:blind' } })
      .resolves({ build: { id: 'uigate-worker:second' } });
    codebuild
      .on(BatchGetBuildsCommand)
      .rejectsOnce(
        Object.assign(new Error('User is not authorized to perform: codebuild:BatchGetBuilds'), {
          name: 'AccessDeniedException',
        }),
      )
      .callsFake(async () => {
        await workerRecords(runId, 'uigate-worker:second', units, 2);
        return { builds: [{ id: 'uigate-worker:second', buildStatus: 'SUCCEEDED' }] };
      });
    codebuild.on(StopBuildCommand).resolves({});
    const { stored, requeues } = await go(runId);
    assert.deepEqual(
      codebuild.commandCalls(StopBuildCommand).map((c) => c.args[0].input.id),
      ['uigate-worker:blind'],
    );
    assert.match(requeues[0]!, /could not be followed \(stopped it\): AccessDeniedException/);
    assert.ok(stored.every((u) => u.status === 'passed'));
  });
});
