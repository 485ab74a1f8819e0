import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
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
