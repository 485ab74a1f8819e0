import assert from 'node:assert/strict';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import { newRunId, type UnitRecord } from '../core/model.ts';
import { type DynamoStore } from './dynamo-store.ts';
import { dynamoClient, openEmbeddedStore } from './open-store.ts';
import { runMeta } from '../testing/run-meta.ts';
import type { SigningKey } from '../aws/sigv4-check.ts';
import { lastGood } from '../verify/releases.ts';

const unit = (title: string, project = 'chromium') => makeUnit(`/t/a.spec.ts`, '/t', [title], project, 1, 1);
const run = runMeta;
const record = (runId: string, title: string, patch: Partial<UnitRecord>): UnitRecord => ({
  ...unit(title),
  runId,
  status: 'running',
  seq: 1000,
  attempt: 1,
  ...patch,
});

describe('DynamoStore on the embedded dynalite', () => {
  let dir: string;
  let store: DynamoStore;
  let endpoint: string | undefined;
  let key: SigningKey | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-store-'));
    ({ store, endpoint, key } = await openEmbeddedStore(dir));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the single table with its byTime and byUnit indexes', async () => {
    const client = dynamoClient(endpoint, 'us-east-1', key);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'uigate' }));
    client.destroy();
    assert.deepEqual(
      Table?.KeySchema?.map((k) => k.AttributeName),
      ['pk', 'sk'],
    );
    assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort(), ['byTime', 'byUnit']);
  });

  it('lists runs newest first, a page at a time', async () => {
    const ids = [0, 1, 2].map((i) => newRunId(new Date(Date.UTC(2030, 0, 1, 0, 0, i))));
    for (const id of ids) await store.createRun(run(id));
    const first = await store.listRuns({ limit: 2 });
    assert.deepEqual(
      first.items.map((r) => r.runId),
      [ids[2], ids[1]],
    );
    assert.ok(first.cursor);
    const second = await store.listRuns({ limit: 2, cursor: first.cursor });
    assert.equal(second.items[0]!.runId, ids[0]);
    await assert.rejects(store.listRuns({ cursor: 'not-a-run' }), /bad cursor/);
  });

  it('refuses to create the same run twice', async () => {
    const id = newRunId();
    await store.createRun(run(id));
    await assert.rejects(store.createRun(run(id)));
  });

  it('queues units once: queuing again never resets a result', async () => {
    const id = newRunId();
    await store.queueUnits(id, [unit('q')]);
    assert.equal(await store.recordUnit(record(id, 'q', { status: 'passed' })), true);
    await store.queueUnits(id, [unit('q')]);
    const [stored] = await store.getUnits(id);
    assert.equal(stored!.status, 'passed');
  });

  it('never lets a late attempt 1 overwrite attempt 2', async () => {
    const id = newRunId();
    await store.queueUnits(id, [unit('late')]);
    assert.equal(await store.recordUnit(record(id, 'late', { status: 'flaky', seq: 1001, attempt: 2 })), true);
    assert.equal(await store.recordUnit(record(id, 'late', { status: 'retrying', seq: 1000, attempt: 1 })), false);
    const [stored] = await store.getUnits(id);
    assert.deepEqual([stored!.status, stored!.attempt], ['flaky', 2]);
  });

  it('never overwrites a final status with running at the same attempt, and is idempotent', async () => {
    const id = newRunId();
    assert.equal(await store.recordUnit(record(id, 'dup', { status: 'running' })), true);
    assert.equal(await store.recordUnit(record(id, 'dup', { status: 'failed', error: { message: 'boom' } })), true);
    assert.equal(await store.recordUnit(record(id, 'dup', { status: 'running' })), false);
    assert.equal(await store.recordUnit(record(id, 'dup', { status: 'failed', error: { message: 'boom' } })), false);
    const units = await store.getUnits(id);
    assert.equal(units.length, 1);
    assert.deepEqual([units[0]!.status, units[0]!.error?.message], ['failed', 'boom']);
  });

  it('lets a re-dispatched unit (higher seq) replace a crashed try', async () => {
    const id = newRunId();
    await store.recordUnit(record(id, 'crash', { status: 'running', seq: 1000 }));
    assert.equal(await store.recordUnit(record(id, 'crash', { status: 'passed', seq: 2000 })), true);
  });

  it('closes only units that are not final', async () => {
    const id = newRunId();
    await store.queueUnits(id, [unit('open'), unit('done')]);
    await store.recordUnit(record(id, 'done', { status: 'passed' }));
    const closed = await store.closeUnits(id, [unit('open').key, unit('done').key], 'cancelled', {
      reason: 'run cancelled',
      seq: 1999,
    });
    assert.equal(closed, 1);
    const byTitle = Object.fromEntries((await store.getUnits(id)).map((u) => [u.titlePath[0], u]));
    assert.equal(byTitle.open!.status, 'cancelled');
    assert.equal(byTitle.open!.error?.message, 'run cancelled');
    assert.equal(byTitle.done!.status, 'passed');
  });

  it('keeps a closed unit closed when a try dispatched before the close writes running late', async () => {
    const id = newRunId();
    await store.queueUnits(id, [unit('late')]);
    await store.recordUnit(record(id, 'late', { status: 'running', seq: 1000 }));
    await store.closeUnits(id, [unit('late').key], 'cancelled', { reason: 'run cancelled', seq: 3999 });
    // Try 3 was re-queued before the close and its Lambda invocation only now starts.
    assert.equal(await store.recordUnit(record(id, 'late', { status: 'running', seq: 3000 })), false);
    assert.equal((await store.getUnits(id))[0]!.status, 'cancelled');
    // A resume dispatches above the close (run.ts: the highest stored try + 1) and is written.
    assert.equal(await store.recordUnit(record(id, 'late', { status: 'passed', seq: 4000 })), true);
  });

  it("gives a unit's history across runs, newest first", async () => {
    const ids = [newRunId(new Date(Date.UTC(2031, 0, 1))), newRunId(new Date(Date.UTC(2031, 0, 2)))];
    await store.recordUnit(record(ids[0]!, 'hist', { status: 'failed', durationMs: 10 }));
    await store.recordUnit(record(ids[1]!, 'hist', { status: 'passed', durationMs: 20 }));
    const history = await store.unitHistory(unit('hist').key);
    assert.deepEqual(
      history.map((h) => [h.runId, h.status, h.durationMs]),
      [
        [ids[1], 'passed', 20],
        [ids[0], 'failed', 10],
      ],
    );
  });

  it('keeps every event, even several in the same millisecond, in order', async () => {
    const id = newRunId();
    const at = new Date().toISOString();
    await store.addEvent({ runId: id, at, type: 'rollback-started' });
    await store.addEvent({ runId: id, at, type: 'rollback-restored' });
    assert.deepEqual(
      (await store.listEvents(id)).map((e) => e.type),
      ['rollback-started', 'rollback-restored'],
    );
  });

  it('writes a keyed event once: concurrent submissions of the same key leave exactly one', async () => {
    const id = newRunId();
    const at = new Date().toISOString();
    const written = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        store.addEvent({ runId: id, at, type: 'approval-vote', detail: { n } }, { once: 'vote#alice' }),
      ),
    );
    assert.equal(written.filter(Boolean).length, 1);
    await store.addEvent({ runId: id, at: new Date(Date.parse(at) + 1).toISOString(), type: 'approval-decided' });
    assert.deepEqual(
      (await store.listEvents(id)).map((e) => e.type),
      ['approval-vote', 'approval-decided'],
    );
  });
  it('clips a runaway error so the item stays writable', async () => {
    const id = newRunId();
    const huge = 'x'.repeat(500_000);
    assert.equal(
      await store.recordUnit(record(id, 'big', { status: 'failed', error: { message: huge, stack: huge } })),
      true,
    );
    const [stored] = await store.getUnits(id);
    assert.ok(stored!.error!.message.length < 20_000);
  });

  it("orders a Lambda alias's releases by promotion past version 999, and its rollback target with them", async () => {
    const target = 'lambda:fn:live';
    const base = Date.parse('2026-12-01T00:00:00.000Z');
    for (let version = 940; version <= 1010; version++)
      await store.putRelease({
        target,
        releaseId: String(version),
        runId: newRunId(),
        status: 'verified',
        promotedAt: new Date(base + version * 1000).toISOString(),
        updatedAt: new Date(base + version * 1000).toISOString(),
      });
    const [newest] = await store.listReleases(target, { limit: 1 });
    assert.equal(newest!.releaseId, '1010');
    assert.equal((await lastGood(store, target, '1010'))!.releaseId, '1009');
    // Promoted in the same millisecond: the higher version is the newer.
    const same = new Date(base).toISOString();
    for (const releaseId of ['999', '1000'])
      await store.putRelease({
        target: 'lambda:tie',
        releaseId,
        runId: newRunId(),
        status: 'verified',
        promotedAt: same,
        updatedAt: same,
      });
    assert.deepEqual(
      (await store.listReleases('lambda:tie')).map((r) => r.releaseId),
      ['1000', '999'],
    );
  });

  it("lists every target's releases, the most recently promoted first, and never an item an executor could write", async () => {
    const at = (minute: number) => new Date(Date.UTC(2031, 0, 1, 0, minute)).toISOString();
    const older = newRunId(new Date(Date.UTC(2031, 0, 1)));
    const newer = newRunId(new Date(Date.UTC(2031, 0, 2)));
    await store.putRelease({
      target: 'local:/a',
      releaseId: newer,
      runId: newer,
      status: 'failed',
      promotedAt: at(1),
      updatedAt: at(1),
    });
    // An older run promoted by hand after a newer one: ordered by when it went live.
    await store.putRelease({
      target: 's3://b',
      releaseId: older,
      runId: older,
      status: 'verified',
      promotedAt: at(2),
      updatedAt: at(2),
    });
    // In a partition an executor may write (UNITS#), an item that names the releases' partition.
    const client = dynamoClient(endpoint, 'us-east-1', key);
    await client.send(
      new PutItemCommand({
        TableName: 'uigate',
        Item: {
          pk: { S: `UNITS#${newer}` },
          sk: { S: 'RELEASE#forged' },
          gsi1pk: { S: 'RELEASE' },
          runId: { S: newRunId(new Date(Date.UTC(2031, 0, 3))) },
          target: { S: 'local:/a' },
          releaseId: { S: 'forged' },
          status: { S: 'verified' },
          promotedAt: { S: at(3) },
          updatedAt: { S: at(3) },
        },
      }),
    );
    client.destroy();
    const releases = (await store.recentReleases({ limit: 10 })).filter((r) => r.promotedAt.startsWith('2031'));
    assert.deepEqual(
      releases.map((r) => [r.target, r.releaseId, r.status]),
      [
        ['s3://b', older, 'verified'],
        ['local:/a', newer, 'failed'],
      ],
    );
  });
});

describe('the embedded store', () => {
  it('keeps history between runs and shares one server between processes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uigate-embedded-'));
    try {
      const first = await openEmbeddedStore(dir);
      const id = newRunId();
      await first.store.createRun(run(id));
      // A second opener (another process, in real use) finds the running server instead of fighting over the data.
      const second = await openEmbeddedStore(dir);
      assert.equal(second.endpoint, first.endpoint);
      assert.equal((await second.store.getRun(id))?.runId, id);
      await second.store.close();
      await first.store.close();
      const reopened = await openEmbeddedStore(dir);
      assert.notEqual(reopened.endpoint, first.endpoint);
      assert.equal((await reopened.store.getRun(id))?.runId, id, 'history survived a restart');
      await reopened.store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
