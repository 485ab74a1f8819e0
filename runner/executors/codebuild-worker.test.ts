// The CodeBuild executor with the real worker: a CodeBuild stand-in whose StartBuild runs the
// worker buildspec's command (`uigate worker`) on this machine with the build's environment
// overrides, and whose BatchGetBuilds says IN_PROGRESS until that process exits. The executor
// binds the sample suite's batches to the worker's seats through the embedded store, as it does
// through DynamoDB in AWS: one build, two seats, every batch run by the real Playwright.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
  type StartBuildCommandInput,
} from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { WORKER_BUILDSPEC } from '../../cdk/worker-buildspec.ts';
import { newRunId } from '../core/model.ts';
import { listTests } from '../playwright/list.ts';
import { exactQueue } from '../plan/queue.ts';
import { dispatch } from '../run/dispatch.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { REPO } from '../testing/fixture-project.ts';
import { CodeBuildExecutor } from './codebuild.ts';

describe('the CodeBuild executor with the real `uigate worker` in its builds', () => {
  const codebuild = mockClient(CodeBuildClient);
  let dir: string;
  let store: DynamoStore;
  let endpoint: string;
  let key: string;
  const builds = new Map<string, { child: ChildProcess; status: Build['buildStatus']; stdout: string }>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-codebuild-worker-'));
    const opened = await openEmbeddedStore(join(dir, 'dynamodb'));
    ({ store, endpoint } = opened as { store: DynamoStore; endpoint: string });
    key = JSON.stringify(opened.key);
  });
  after(async () => {
    for (const build of builds.values()) build.child.kill('SIGKILL');
    codebuild.restore();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every batch on the seats of one build, and the build ends when they are released', async () => {
    codebuild.on(StartBuildCommand).callsFake(async (input: StartBuildCommandInput) => {
      const id = `uigate-worker:local-${builds.size + 1}`;
      const overrides = Object.fromEntries(input.environmentVariablesOverride!.map((v) => [v.name, v.value!]));
      const child = spawn('bash', ['-c', WORKER_BUILDSPEC.phases.build.commands[0]], {
        cwd: REPO,
        env: {
          ...process.env,
          ...WORKER_BUILDSPEC.env.variables,
          ...overrides,
          UIGATE_DYNAMODB_ENDPOINT: endpoint,
          UIGATE_DYNAMODB_KEY: key,
          UIGATE_HOME: join(dir, 'home'),
          CODEBUILD_BUILD_ID: id,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const build = { child, status: 'IN_PROGRESS' as Build['buildStatus'], stdout: '' };
      child.stdout!.on('data', (chunk: Buffer) => (build.stdout += chunk));
      child.on('exit', (code) => (build.status = code === 0 ? 'SUCCEEDED' : 'FAILED'));
      builds.set(id, build);
      return { build: { id } };
    });
    codebuild.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => ({
      builds: ids.flatMap((id) => (builds.has(id) ? [{ id, buildStatus: builds.get(id)!.status }] : [])),
    }));
    codebuild.on(StopBuildCommand).callsFake(async ({ id }: { id: string }) => {
      builds.get(id)?.child.kill('SIGTERM');
      return {};
    });

    const { units: listed } = await listTests({ cwd: REPO, playwrightConfig: join(REPO, 'playwright.config.ts') });
    const units = listed.filter((unit) => unit.module === 'button' || unit.module === 'dropdown');
    const runId = newRunId();
    await store.queueUnits(runId, units, { fresh: true });
    const executor = new CodeBuildExecutor({
      projectName: 'uigate-worker',
      region: 'us-east-1',
      concurrency: 1,
      workers: 2,
      results: store,
      store: { table: 'uigate', region: 'us-east-1', endpoint },
      artifacts: { bucket: 'artifacts' },
      poll: { initialMs: 200, maxMs: 1_000 },
      seatPollMs: 200,
      idleMs: 500,
      client: new CodeBuildClient({ region: 'us-east-1' }),
    });
    // Three batches for two seats: one seat takes a second batch when it is done with its first.
    const result = await dispatch({
      runId,
      queues: new Map([['codebuild', exactQueue(units, () => 1000, { executor: 'codebuild', slots: 3, startMs: 0 })]]),
      executors: new Map([['codebuild', executor]]),
      store,
      infraRetries: 0,
      batchTimeoutMs: 180_000,
      signal: new AbortController().signal,
    });
    await executor.close();
    const [build, ...more] = [...builds.values()];
    assert.equal(more.length, 0, 'one build for the three batches');
    await new Promise((done) => (build!.child.exitCode === null ? build!.child.on('exit', done) : done(null)));
    assert.equal(build!.status, 'SUCCEEDED', build!.stdout);
    assert.equal(result.errored.size, 0);
    assert.equal(result.batchesRun, 3);
    const stored = await store.getUnits(runId);
    assert.equal(stored.length, units.length);
    assert.ok(
      stored.every((unit) => unit.status === 'passed' && unit.executorRef === 'uigate-worker:local-1'),
      JSON.stringify(stored.map((unit) => [unit.status, unit.executorRef])),
    );
    assert.match(build!.stdout, /container \w+-1 \(2 seats\)/);
    const served = [...build!.stdout.matchAll(/seat \w+-1\.[12] released after (\d+) batch/g)].map((m) => Number(m[1]));
    assert.equal(served.length, 2, 'both seats let go');
    assert.equal(
      served.reduce((sum, n) => sum + n, 0),
      3,
      'the seat done first took the third batch',
    );
  });
});
