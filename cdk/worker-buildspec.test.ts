import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { listTests } from '../runner/playwright/list.ts';
import { newRunId } from '../runner/core/model.ts';
import type { DynamoStore } from '../runner/store/dynamo-store.ts';
import { openEmbeddedStore } from '../runner/store/open-store.ts';
import { REPO } from '../runner/testing/fixture-project.ts';
import { WORKER_BUILDSPEC } from './worker-buildspec.ts';

const run = promisify(execFile);

interface Buildspec {
  version: number;
  env: { variables: Readonly<Record<string, string>> };
  phases: Readonly<Record<string, { commands: readonly string[] }>>;
}

describe("the CodeBuild worker's buildspec, run on this machine", () => {
  let dir: string;
  let store: DynamoStore;
  let endpoint: string;
  /** The embedded store's key: a worker given the endpoint also needs it (runner/store/embedded-guard.ts). */
  let key: string;
  let spec: Buildspec;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-buildspec-'));
    const opened = await openEmbeddedStore(join(dir, 'dynamodb'));
    ({ store, endpoint } = opened as { store: DynamoStore; endpoint: string });
    key = JSON.stringify(opened.key);
    spec = WORKER_BUILDSPEC;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is a version 0.2 buildspec that installs exactly the lockfile and runs the worker', () => {
    assert.equal(spec.version, 0.2);
    assert.deepEqual(spec.phases.install!.commands, ['npm ci --no-audit --no-fund']);
    assert.ok(spec.phases.build!.commands.some((command) => /uigate(\.js)? worker/.test(command)));
    assert.equal(spec.env.variables.UIGATE_STORE, 'dynamodb');
  });

  it('runs its build commands on the sample suite: a seat per worker, each running the batches it is given, until released', async () => {
    const { units } = await listTests({ cwd: REPO, playwrightConfig: join(REPO, 'playwright.config.ts') });
    const batches = {
      'codebuild-001': units.filter((unit) => unit.module === 'button'),
      'codebuild-002': units.filter((unit) => unit.module === 'dropdown' && unit.project === 'firefox'),
      'codebuild-003': units.filter((unit) => unit.module === 'dropdown' && unit.project === 'chromium'),
    };
    assert.ok(Object.values(batches).every((batch) => batch.length));
    const runId = newRunId();
    await store.queueUnits(runId, Object.values(batches).flat());
    for (const [batchId, batch] of Object.entries(batches))
      await store.putBatch(
        runId,
        batchId,
        1,
        batch.map((unit) => unit.key),
      );
    // What StartBuild's environment overrides carry, as CodeBuild sets them; the install phase
    // (npm ci) is what .ci/run itself does before these tests, so it is not repeated here.
    const env = {
      ...process.env,
      ...spec.env.variables,
      UIGATE_RUN_ID: runId,
      UIGATE_SEAT: 'a1b2c3-1',
      // executors.codebuild.workers: 2, as the CodeBuild executor passes it: two seats.
      UIGATE_WORKERS: '2',
      UIGATE_TABLE: 'uigate',
      UIGATE_REGION: 'us-east-1',
      UIGATE_DYNAMODB_ENDPOINT: endpoint,
      UIGATE_DYNAMODB_KEY: key,
      UIGATE_HOME: join(dir, 'home'),
      CODEBUILD_BUILD_ID: 'uigate-worker:0b5e-local',
      CODEBUILD_SRC_DIR: REPO,
    };
    const [command] = spec.phases.build!.commands;
    const build = run('bash', ['-c', command!], { cwd: REPO, env, timeout: 180_000 });
    // The orchestrator's side: a batch to each seat once it is ready, a third to the first seat
    // back, then both released.
    const readyAfter = async (seatId: string, last?: string) => {
      for (;;) {
        const seat = await store.getSeat(runId, seatId);
        if (seat?.state === 'ready' && seat.last?.batchId === last) return seat;
        await new Promise((done) => setTimeout(done, 100));
      }
    };
    const give = (seatId: string, batchId: string) => store.assignSeat(runId, seatId, { batchId, dispatchTry: 1 });
    assert.equal((await readyAfter('a1b2c3-1.1')).buildId, 'uigate-worker:0b5e-local');
    await readyAfter('a1b2c3-1.2');
    assert.equal(await give('a1b2c3-1.1', 'codebuild-001'), true);
    assert.equal(await give('a1b2c3-1.2', 'codebuild-002'), true);
    await readyAfter('a1b2c3-1.1', 'codebuild-001');
    assert.equal(await give('a1b2c3-1.1', 'codebuild-003'), true);
    await readyAfter('a1b2c3-1.1', 'codebuild-003');
    await readyAfter('a1b2c3-1.2', 'codebuild-002');
    await store.releaseSeat(runId, 'a1b2c3-1.1');
    await store.releaseSeat(runId, 'a1b2c3-1.2');
    const { stdout } = await build;
    assert.match(stdout, /container a1b2c3-1 \(2 seats\), build uigate-worker:0b5e-local: waiting for batches/);
    for (const [batchId, batch] of Object.entries(batches))
      assert.match(stdout, new RegExp(`batch ${batchId} done — ${batch.length} passed`));
    assert.match(stdout, /seat a1b2c3-1\.1 released after 2 batch\(es\)/);
    assert.match(stdout, /seat a1b2c3-1\.2 released after 1 batch\(es\)/);
    const stored = await store.getUnits(runId);
    assert.equal(stored.length, Object.values(batches).flat().length);
    for (const unit of stored) {
      assert.equal(unit.status, 'passed');
      assert.equal(unit.executor, 'codebuild');
      assert.equal(unit.executorRef, 'uigate-worker:0b5e-local');
    }
  });

  it('refuses to start without its batch, naming what is missing', async () => {
    const env = {
      ...process.env,
      ...spec.env.variables,
      UIGATE_RUN_ID: newRunId(),
      UIGATE_BATCH_ID: 'nope',
      UIGATE_DYNAMODB_ENDPOINT: endpoint,
      UIGATE_DYNAMODB_KEY: key,
      UIGATE_HOME: join(dir, 'home'),
    };
    const failed = await run('bash', ['-c', spec.phases.build!.commands[0]!], { cwd: REPO, env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal((failed as { code: number }).code, 2);
    assert.match((failed as { stderr: string }).stderr, /no batch nope \(dispatch try 1\) in run/);
  });
});
