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

  it("runs its build commands on the sample suite: the batch's units end up in the store as run by that build", async () => {
    const { units } = await listTests({ cwd: REPO, playwrightConfig: join(REPO, 'playwright.config.ts') });
    const batch = units.filter(
      (unit) => unit.module === 'button' || (unit.module === 'dropdown' && unit.project === 'firefox'),
    );
    const runId = newRunId();
    await store.queueUnits(runId, batch);
    // In two lanes, as the queue splits a batch for a container with several workers: a Playwright
    // process each, side by side.
    const lanes = [
      batch.filter((unit) => unit.module === 'button').map((unit) => unit.key),
      batch.filter((unit) => unit.module !== 'button').map((unit) => unit.key),
    ];
    assert.ok(lanes.every((lane) => lane.length));
    await store.putBatch(runId, 'codebuild-001', 1, lanes);
    // What StartBuild's environment overrides carry, as CodeBuild sets them; the install phase
    // (npm ci) is what .ci/run itself does before these tests, so it is not repeated here.
    const env = {
      ...process.env,
      ...spec.env.variables,
      UIGATE_RUN_ID: runId,
      UIGATE_BATCH_ID: 'codebuild-001',
      UIGATE_DISPATCH: '1',
      UIGATE_TABLE: 'uigate',
      UIGATE_REGION: 'us-east-1',
      UIGATE_DYNAMODB_ENDPOINT: endpoint,
      UIGATE_DYNAMODB_KEY: key,
      UIGATE_HOME: join(dir, 'home'),
      CODEBUILD_BUILD_ID: 'uigate-worker:0b5e-local',
      CODEBUILD_SRC_DIR: REPO,
      // executors.codebuild.workers: 2, as the CodeBuild executor passes it (the lanes say how to use them).
      UIGATE_WORKERS: '2',
    };
    for (const command of spec.phases.build!.commands) {
      const { stdout } = await run('bash', ['-c', command], { cwd: REPO, env, timeout: 180_000 });
      assert.match(
        stdout,
        new RegExp(
          `uigate worker: run ${runId}, batch codebuild-001 \\(dispatch try 1\\), ${batch.length} units, build uigate-worker:0b5e-local, 2 Playwright processes side by side`,
        ),
      );
      assert.match(stdout, new RegExp(`done — ${batch.length} passed`));
    }
    const stored = await store.getUnits(runId);
    assert.equal(stored.length, batch.length);
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
