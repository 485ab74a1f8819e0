import assert from 'node:assert/strict';
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
  type StartBuildCommandInput,
} from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { dispatch, fixedBatches } from '../run/dispatch.ts';
import type { Batch } from '../plan/plan.ts';
import { serveSeat, type SeatBatch } from './seat-worker.ts';
import { recordPassed } from '../testing/stand-in-worker.ts';
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
    recordPassed(store, { runId, buildId, dispatchTry }, done);

  /**
   * How a stand-in build runs a batch: writes `done`; then `died` ends the container FAILED (with
   * those fields), `crashed` reports Playwright's crash on the seat, which goes on.
   */
  type Behaviour = (
    buildId: string,
    batch: SeatBatch & { keys: string[] },
  ) => Promise<{ done: string[]; died?: Partial<Build>; crashed?: string }>;

  /**
   * CodeBuild as the executor sees it: each StartBuild brings up a container whose worker holds its
   * seats with the real protocol (seat-worker.ts) and runs batches by `behave`; BatchGetBuilds says
   * IN_PROGRESS until every seat is let go, then SUCCEEDED — or FAILED when the container died.
   */
  function standInBuilds(
    runId: string,
    behave: Behaviour = async (_, batch) => ({ done: batch.keys }),
    /** Errors the first StartBuild and BatchGetBuilds calls answer with, in order. */
    fail: { start?: Error[]; follow?: Error[] } = {},
  ) {
    const builds = new Map<string, Build>();
    const served = new Map<string, string[]>();
    const stops = new Map<string, AbortController>();
    let n = 0;
    codebuild.on(StartBuildCommand).callsFake(async (input: StartBuildCommandInput) => {
      const refusal = fail.start?.shift();
      if (refusal) throw refusal;
      const id = `uigate-worker:b${++n}`;
      const env = Object.fromEntries(input.environmentVariablesOverride!.map((v) => [v.name, v.value!]));
      builds.set(id, { id, buildStatus: 'IN_PROGRESS' });
      served.set(id, []);
      const stopped = new AbortController();
      stops.set(id, stopped);
      const seats = Number(env.UIGATE_WORKERS ?? 1);
      const worker = Array.from({ length: seats }, (_, i) =>
        serveSeat(store, {
          signal: stopped.signal,
          runId: env.UIGATE_RUN_ID!,
          seatId: `${env.UIGATE_SEAT!}.${i + 1}`,
          buildId: id,
          pollMs: 2,
          waitMs: 5_000,
          runBatch: async (batch) => {
            served.get(id)!.push(batch.batchId);
            const keys = (await store.getBatch(runId, batch.batchId, batch.dispatchTry))!;
            const outcome = await behave(id, { ...batch, keys });
            await workerRecords(
              runId,
              id,
              units.filter((unit) => outcome.done.includes(unit.key)),
              batch.dispatchTry,
            );
            if (!outcome.died) return outcome.crashed ? { crashed: outcome.crashed } : {};
            // The container is gone: nothing more from any of its seats.
            builds.set(id, { id, buildStatus: 'FAILED', ...outcome.died });
            stopped.abort();
            return new Promise<never>(() => {});
          },
        }),
      );
      void Promise.all(worker)
        .then(() => {
          if (builds.get(id)!.buildStatus === 'IN_PROGRESS') builds.set(id, { id, buildStatus: 'SUCCEEDED' });
        })
        // A stopped build's worker may still be reading when the test's store closes.
        .catch(() => {});
      return { build: { id } };
    });
    codebuild.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => {
      const refusal = fail.follow?.shift();
      if (refusal) throw refusal;
      return { builds: ids.map((id) => builds.get(id)).filter(Boolean) };
    });
    codebuild.on(StopBuildCommand).callsFake(async ({ id }: { id: string }) => {
      stops.get(id)?.abort();
      builds.set(id, { id, buildStatus: 'STOPPED' });
      return {};
    });
    return { served };
  }

  const executor = (workers?: number, concurrency = 2) =>
    new CodeBuildExecutor({
      projectName: 'uigate-worker',
      region: 'eu-west-1',
      concurrency,
      ...(workers ? { workers } : {}),
      results: store,
      store: { table: 'uigate', region: 'eu-west-1' },
      artifacts: { bucket: 'artifacts', prefix: 'runs/' },
      baseURL: 'https://test.example.com',
      sourceLocation: 'artifacts/source/abc123.zip',
      poll: { initialMs: 5, maxMs: 20 },
      seatPollMs: 5,
      idleMs: 1_000,
      throttle: { baseMs: 1, capMs: 5 },
      client: new CodeBuildClient({ region: 'eu-west-1' }),
    });

  async function go(
    runId: string,
    options: {
      signal?: AbortSignal;
      infraRetries?: number;
      workers?: number;
      batches?: Batch[];
      concurrency?: number;
      batchTimeoutMs?: number;
    } = {},
  ) {
    await store.queueUnits(runId, units);
    const requeues: string[] = [];
    const run = executor(options.workers, options.concurrency);
    const queue = options.batches
      ? fixedBatches(options.batches).get('codebuild')!
      : exactQueue(units, () => 1000, {
          executor: 'codebuild',
          slots: 1,
          startMs: 0,
        });
    const result = await dispatch({
      runId,
      queues: new Map([['codebuild', queue]]),
      executors: new Map([['codebuild', run]]),
      store,
      infraRetries: options.infraRetries ?? 2,
      batchTimeoutMs: options.batchTimeoutMs ?? 60_000,
      signal: options.signal ?? new AbortController().signal,
      onRequeue: (u, error) => requeues.push(`${u.length}: ${error.message}`),
    });
    await run.close();
    return { result, requeues, stored: await store.getUnits(runId) };
  }

  /** A batch of each unit, the i-th expected to take `estimate(i)`. */
  const oneUnitBatches = (estimate: (i: number) => number): Batch[] =>
    units.map((unit, i) => ({ id: `cb-${i + 1}`, executor: 'codebuild', units: [unit], estimatedMs: estimate(i) }));

  const env = (call: number) =>
    Object.fromEntries(
      codebuild
        .commandCalls(StartBuildCommand)
        [call]!.args[0].input.environmentVariablesOverride!.map((v) => [v.name, v.value]),
    );

  it('starts a build with the run and a seat in environment overrides, and hands it the batch through the table', async () => {
    const runId = newRunId();
    standInBuilds(runId);
    const { stored, result } = await go(runId);
    const start = codebuild.commandCalls(StartBuildCommand)[0]!.args[0].input;
    assert.equal(start.projectName, 'uigate-worker');
    assert.deepEqual([start.sourceTypeOverride, start.sourceLocationOverride], ['S3', 'artifacts/source/abc123.zip']);
    const first = env(0);
    assert.deepEqual(
      [first.UIGATE_RUN_ID, first.UIGATE_TABLE, first.UIGATE_ARTIFACTS_BUCKET, first.BASE_URL],
      [runId, 'uigate', 'artifacts', 'https://test.example.com'],
    );
    assert.match(first.UIGATE_SEAT!, /^[0-9a-f]{6}-1$/);
    assert.equal(first.UIGATE_BATCH_ID, undefined, 'the batch is bound when the build is ready, not when it starts');
    assert.deepEqual(
      await store.getBatch(runId, 'codebuild-001', 1),
      units.map((u) => u.key),
    );
    assert.equal(result.errored.size, 0);
    assert.ok(stored.every((u) => u.status === 'passed' && u.executorRef === 'uigate-worker:b1'));
    assert.equal(first.UIGATE_WORKERS, undefined, 'one Playwright worker unless configured');
    assert.equal(
      (await store.getSeat(runId, `${first.UIGATE_SEAT!}.1`))?.state,
      'released',
      'let go once the run is over',
    );
  });

  it('runs the next batch on the build that finished one, and releases it when nothing is left', async () => {
    const runId = newRunId();
    const { served } = standInBuilds(runId);
    const batches = oneUnitBatches((i) => 1000 * (3 - i));
    const { stored } = await go(runId, { batches, concurrency: 1 });
    assert.equal(codebuild.commandCalls(StartBuildCommand).length, 1, 'one container for all three');
    assert.deepEqual(served.get('uigate-worker:b1'), ['cb-1', 'cb-2', 'cb-3']);
    assert.ok(stored.every((u) => u.status === 'passed'));
  });

  it('gives a build of several workers a seat for each, which take batches on their own', async () => {
    const runId = newRunId();
    const { served } = standInBuilds(runId);
    const batches = oneUnitBatches(() => 1000);
    const { stored } = await go(runId, { batches, concurrency: 1, workers: 2 });
    assert.equal(codebuild.commandCalls(StartBuildCommand).length, 1, 'one container');
    assert.equal(env(0).UIGATE_WORKERS, '2', 'holding two seats');
    assert.deepEqual(served.get('uigate-worker:b1')!.sort(), ['cb-1', 'cb-2', 'cb-3']);
    const seats = new Set(stored.map((unit) => unit.executorRef));
    assert.deepEqual([...seats], ['uigate-worker:b1']);
    assert.deepEqual((await store.listSeats(runId)).map((seat) => seat.seatId.replace(/^\w+-/, '')).sort(), [
      '1.1',
      '1.2',
    ]);
    assert.ok(stored.every((u) => u.status === 'passed'));
  });

  it('stops only the seat of a batch past its timeout, and the build once its other seat is let go', async () => {
    const runId = newRunId();
    // cb-1 hangs for good in its seat; cb-2 and cb-3 finish in the other.
    standInBuilds(runId, async (_, batch) => (batch.batchId === 'cb-1' ? new Promise(() => {}) : { done: batch.keys }));
    const { stored } = await go(runId, {
      batches: oneUnitBatches((i) => 1000 * (3 - i)),
      concurrency: 1,
      workers: 2,
      infraRetries: 0,
      // Time enough for the others on a loaded machine; the one that hangs is stopped at it.
      batchTimeoutMs: 3_000,
    });
    const byKey = new Map(stored.map((unit) => [unit.key, unit]));
    assert.match(byKey.get(units[0]!.key)!.error!.message, /ran past its timeout/);
    assert.deepEqual(
      units.slice(1).map((unit) => byKey.get(unit.key)!.status),
      ['passed', 'passed'],
      'the other seat went on',
    );
    assert.deepEqual(
      codebuild.commandCalls(StopBuildCommand).map((call) => call.args[0].input.id),
      ['uigate-worker:b1'],
      'stopped once, when its last seat was let go',
    );
  });

  it('runs a batch again when Playwright crashed on it, on the seat that goes on', async () => {
    const runId = newRunId();
    let crashes = 0;
    const { served } = standInBuilds(runId, async (_, batch) =>
      crashes++ === 0
        ? { done: batch.keys.slice(0, 1), crashed: 'Playwright exited with signal SIGKILL before the batch finished' }
        : { done: batch.keys },
    );
    const { stored, requeues } = await go(runId);
    assert.equal(codebuild.commandCalls(StartBuildCommand).length, 1, 'the container is fine');
    assert.deepEqual(served.get('uigate-worker:b1'), ['codebuild-001', 'codebuild-001.2']);
    assert.match(requeues[0]!, /^2: CodeBuild uigate-worker:b1, seat \w+-1\.1: Playwright exited with signal SIGKILL/);
    assert.ok(stored.every((u) => u.status === 'passed'));
  });

  it('re-queues the unfinished units of a failed build, and only those', async () => {
    const runId = newRunId();
    standInBuilds(runId, async (buildId, batch) =>
      buildId === 'uigate-worker:b1'
        ? {
            done: batch.keys.slice(0, 1),
            died: {
              phases: [
                { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ message: 'container ran out of memory' }] },
              ],
            },
          }
        : { done: batch.keys },
    );
    const { stored, requeues } = await go(runId);
    assert.deepEqual(requeues, ['2: CodeBuild uigate-worker:b1: FAILED in BUILD: container ran out of memory']);
    assert.deepEqual((await store.getBatch(runId, 'codebuild-001.2', 2))?.length, 2);
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

  it('says so when a build ends well without its worker ever taking the seat (a buildspec without `uigate worker`)', async () => {
    const runId = newRunId();
    codebuild.on(StartBuildCommand).resolves({ build: { id: 'uigate-worker:nothing' } });
    codebuild
      .on(BatchGetBuildsCommand)
      .resolves({ builds: [{ id: 'uigate-worker:nothing', buildStatus: 'SUCCEEDED' }] });
    const { stored } = await go(runId, { infraRetries: 0 });
    assert.ok(
      stored.every((u) => u.status === 'errored'),
      'never passed, never "not found"',
    );
    assert.match(
      stored[0]!.error!.message,
      /SUCCEEDED without its worker ever being ready: does the project's buildspec run `uigate worker` against table uigate\?/,
    );
  });

  it('retries a throttled StartBuild with backoff', async () => {
    const runId = newRunId();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    standInBuilds(runId, undefined, { start: [throttled, throttled] });
    const { stored } = await go(runId);
    assert.equal(codebuild.commandCalls(StartBuildCommand).length, 3);
    assert.ok(stored.every((u) => u.status === 'passed'));
  });

  it('stops the build when the run is cancelled', async () => {
    const runId = newRunId();
    const controller = new AbortController();
    standInBuilds(runId, async () => {
      controller.abort();
      return new Promise(() => {});
    });
    await go(runId, { signal: controller.signal });
    assert.deepEqual(
      codebuild.commandCalls(StopBuildCommand).map((c) => c.args[0].input.id),
      ['uigate-worker:b1'],
    );
  });

  it('stops a build it can no longer follow before its units run again elsewhere (not paid twice)', async () => {
    const runId = newRunId();
    const denied = Object.assign(new Error('User is not authorized to perform: codebuild:BatchGetBuilds'), {
      name: 'AccessDeniedException',
    });
    standInBuilds(runId, undefined, { follow: [denied] });
    const { stored, requeues } = await go(runId);
    assert.match(requeues[0]!, /could not be followed \(stopped it\): AccessDeniedException/);
    assert.equal(codebuild.commandCalls(StopBuildCommand)[0]!.args[0].input.id, 'uigate-worker:b1');
    assert.ok(stored.every((u) => u.status === 'passed'));
  });
});
