import { approvalPk, runPk, unitsPk } from './table.ts';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { makeUnit } from '../playwright/list.ts';
import { newRunId, type RunMeta } from '../core/model.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { DynamoStore } from './dynamo-store.ts';
import { expireLocally } from './expiry.ts';
import { connectStore, dynamoClient, openStore, type OpenedStore } from './open-store.ts';
import { childEnv, readChildContext } from '../playwright/child-env.ts';
import type { StoreAccess } from './store-address.ts';

const DAY_MS = 86_400_000;

const meta = (runId: string): RunMeta => ({
  runId,
  status: 'passed',
  trigger: 'test',
  projects: ['chromium'],
  modules: ['a'],
  executors: ['local'],
  total: 1,
  counts: { passed: 1 },
  startedAt: new Date().toISOString(),
});

/** A run with a unit, an event, a once-event and an artifact folder, written with this retention. */
async function writeRun(store: DynamoStore, artifactsDir: string, at: Date) {
  const runId = newRunId(at);
  await store.createRun(meta(runId));
  const unit = makeUnit('/t/a.spec.ts', '/t', ['works'], 'chromium', 1, 1);
  await store.queueUnits(runId, [unit]);
  await store.recordUnit({ ...unit, runId, status: 'passed', seq: 1000, attempt: 1, durationMs: 5 });
  await store.addEvent({ runId, at: at.toISOString(), type: 'gate', detail: {} });
  await store.addEvent({ runId, at: at.toISOString(), type: 'approval-vote', detail: {} }, { once: `vote#${runId}` });
  await mkdir(join(artifactsDir, runId, 'unit'), { recursive: true });
  await writeFile(join(artifactsDir, runId, 'unit', '1-screenshot.png'), 'png');
  return runId;
}

describe('retention on the embedded store (dynalite has no TTL of its own)', () => {
  let dir: string;
  let opened: OpenedStore;
  let shortLived: DynamoStore;
  let kept: DynamoStore;
  const settings = () => ({ embedded: true, retentionDays: 1, dataDir: join(dir, 'dynamodb') });
  const artifactsDir = () => join(dir, 'artifacts');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-expiry-'));
    opened = await openStore({ embedded: true, table: 'uigate', region: 'us-east-1', dataDir: join(dir, 'dynamodb') });
    shortLived = new DynamoStore({
      client: dynamoClient(opened.endpoint, 'us-east-1', opened.key),
      table: 'uigate',
      retentionDays: 1,
    });
    kept = new DynamoStore({
      client: dynamoClient(opened.endpoint, 'us-east-1', opened.key),
      table: 'uigate',
      retentionDays: 30,
    });
  });
  after(async () => {
    await shortLived.close();
    await kept.close();
    await opened.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes an expired run whole, with its artifacts, and keeps younger runs and every release', async () => {
    const old = await writeRun(shortLived, artifactsDir(), new Date(Date.UTC(2030, 0, 1)));
    const young = await writeRun(kept, artifactsDir(), new Date(Date.UTC(2030, 0, 2)));
    await shortLived.putRelease({
      target: 'local:/srv/prod',
      releaseId: old,
      runId: old,
      status: 'verified',
      promotedAt: '2030-01-01T00:00:00Z',
      updatedAt: '2030-01-01T00:00:00Z',
    });

    const expired = await expireLocally(shortLived, settings(), artifactsDir(), new Date(Date.now() + 2 * DAY_MS));
    assert.deepEqual(expired?.runIds, [old]);
    assert.equal(expired?.items, 4, 'every item it had: the run, its unit, its two events');

    const store = opened.store;
    assert.equal(await store.getRun(old), undefined);
    assert.deepEqual(await store.getUnits(old), []);
    assert.deepEqual(await store.listEvents(old), []);
    assert.ok(!existsSync(join(artifactsDir(), old)), 'its artifacts went with it');

    assert.equal((await store.getRun(young))?.runId, young);
    assert.equal((await store.getUnits(young)).length, 1);
    assert.equal((await store.listEvents(young)).length, 2);
    assert.ok(existsSync(join(artifactsDir(), young, 'unit', '1-screenshot.png')));
    assert.deepEqual(
      (await store.listReleases('local:/srv/prod')).map((release) => release.releaseId),
      [old],
      'releases outlive results',
    );
  });

  it('keeps a run someone decided on whole, and the events added to it later', async () => {
    const decided = await writeRun(shortLived, artifactsDir(), new Date(Date.UTC(2030, 0, 3)));
    await shortLived.keepRun(decided);
    await shortLived.addEvent({ runId: decided, at: new Date().toISOString(), type: 'promoted', detail: {} });
    const expired = await shortLived.deleteExpired(new Date(Date.now() + 400 * DAY_MS));
    assert.ok(!expired.runIds.includes(decided));
    const store = opened.store;
    assert.equal((await store.getRun(decided))?.kept, true);
    assert.equal((await store.getUnits(decided)).length, 1);
    assert.deepEqual((await store.listEvents(decided)).map((event) => event.type).sort(), [
      'approval-vote',
      'gate',
      'promoted',
    ]);
  });

  it('keeps the expiry on a result written by a batch process (the store address it is given carries retention)', async () => {
    const runId = newRunId();
    const unit = makeUnit('/t/a.spec.ts', '/t', ['from a batch'], 'chromium', 1, 1);
    await kept.queueUnits(runId, [unit], { fresh: true });
    // What a batch's reporter does (runner/playwright/child-env.ts → connectStore).
    const context = readChildContext(
      childEnv({
        runId,
        executor: 'local',
        executorRef: 'local-001',
        dispatchTry: 1,
        store: { endpoint: opened.endpoint, key: opened.key, table: 'uigate', region: 'us-east-1', retentionDays: 30 },
      }),
    )!;
    const batch = connectStore(context.store);
    await batch.recordUnit({ ...unit, runId, status: 'passed', seq: 1000, attempt: 1 });
    await batch.close();
    const doc = DynamoDBDocumentClient.from(dynamoClient(opened.endpoint, 'us-east-1', opened.key));
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: 'uigate',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': unitsPk(runId) },
      }),
    );
    doc.destroy();
    assert.equal(Items[0]!.status, 'passed');
    assert.ok(Number(Items[0]!.expiresAt) > Date.now() / 1000 + 29 * 86_400, 'still expires');
  });

  it('looks again only a day later', async () => {
    const calls: Date[] = [];
    const counting = { deleteExpired: async (now: Date) => (calls.push(now), { items: 0, runIds: [] }) };
    const own = { ...settings(), dataDir: join(dir, 'another-store') };
    const first = new Date();
    assert.ok(await expireLocally(counting, own, artifactsDir(), first));
    assert.equal(await expireLocally(counting, own, artifactsDir(), new Date(first.getTime() + DAY_MS - 1)), undefined);
    assert.ok(await expireLocally(counting, own, artifactsDir(), new Date(first.getTime() + DAY_MS)));
    assert.equal(calls.length, 2);
  });

  it('leaves a store alone without retentionDays, and any store but the embedded one', async () => {
    const refusing = { deleteExpired: async (): Promise<never> => assert.fail('must not be asked') };
    assert.equal(await expireLocally(refusing, { ...settings(), retentionDays: undefined }, artifactsDir()), undefined);
    assert.equal(await expireLocally(refusing, { ...settings(), embedded: false }, artifactsDir()), undefined);
  });
});

/** Gives every item of a run an expiry in the past, as if it had been written long ago with retention on. */
async function backdate({ endpoint, key }: StoreAccess, runId: string) {
  const doc = DynamoDBDocumentClient.from(dynamoClient(endpoint, 'us-east-1', key));
  const Items = [];
  for (const pk of [runPk(runId), unitsPk(runId), approvalPk(runId)]) {
    const page = await doc.send(
      new QueryCommand({
        TableName: 'uigate',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );
    Items.push(...(page.Items ?? []));
  }
  for (const item of Items)
    await doc.send(
      new UpdateCommand({
        TableName: 'uigate',
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': 1 },
      }),
    );
  doc.destroy();
}

describe('uigate run with store.retentionDays', () => {
  let project: FixtureProject;
  const homes: string[] = [];
  before(async () => {
    project = await fixtureProject({
      'one.spec.ts': `import { test, expect } from '@playwright/test';\ntest('works', async () => { expect(1).toBe(1); });\n`,
    });
    await project.write('uigate.config.ts', 'export default { store: { retentionDays: 30 } };\n');
  });
  after(async () => {
    await project.remove();
    for (const home of homes) await rm(home, { recursive: true, force: true });
  });

  /** An old run, expired, in a fresh UIGATE_HOME. */
  async function homeWithExpiredRun() {
    const home = await mkdtemp(join(tmpdir(), 'uigate-home-'));
    homes.push(home);
    const { store, endpoint, key } = await openStore({
      embedded: true,
      table: 'uigate',
      region: 'us-east-1',
      dataDir: join(home, 'dynamodb'),
    });
    const old = await writeRun(store, join(home, 'artifacts'), new Date(Date.UTC(2020, 0, 1)));
    await backdate({ endpoint, key }, old);
    await store.close();
    return { home, old };
  }

  async function assertOnlyTheNewRun(home: string, old: string) {
    const reopened = await openStore({
      embedded: true,
      table: 'uigate',
      region: 'us-east-1',
      dataDir: join(home, 'dynamodb'),
    });
    try {
      const runs = (await reopened.store.listRuns()).items.map((run) => run.runId);
      assert.equal(runs.length, 1);
      assert.notEqual(runs[0], old);
      assert.ok(!existsSync(join(home, 'artifacts', old)), 'the old run took its artifacts with it');
      assert.ok(existsSync(join(home, 'artifacts', runs[0]!, 'run.json')), "the new run's own artifacts stay");
    } finally {
      await reopened.store.close();
    }
  }

  const DELETED = /deleted 1 run\(s\) older than 30 days \(store\.retentionDays\) with their artifacts: 4 store items/;

  it('deletes runs older than that, with their artifacts, when a run ends', async () => {
    const { home, old } = await homeWithExpiredRun();
    const result = await project.uigate(['run', '--no-serve'], { env: { UIGATE_HOME: home } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, DELETED);
    await assertOnlyTheNewRun(home, old);
  });

  it('does the same at the end of a plain npx playwright test', async () => {
    const { home, old } = await homeWithExpiredRun();
    const result = await project.playwright([], { UIGATE_HOME: home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, DELETED);
    await assertOnlyTheNewRun(home, old);
  });
});
