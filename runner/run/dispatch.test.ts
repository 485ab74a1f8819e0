import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispatch, type DispatchOptions } from './dispatch.ts';
import { BatchError, type BatchContext, type Executor, type UnitOutcome } from '../executors/executor.ts';
import { makeUnit } from '../playwright/list.ts';
import { newRunId, type UnitRecord, type UnitRef, type UnitStatus } from '../core/model.ts';
import type { Batch } from '../plan/plan.ts';
import { exactQueue } from '../plan/queue.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';

const units = Array.from({ length: 6 }, (_, i) => makeUnit(`/t/m.spec.ts`, '/t', [`case ${i}`], 'chromium', i + 1, 1));

/** An executor whose behaviour per dispatch try is scripted by the test; it records what it ran. */
class ScriptedExecutor implements Executor {
  readonly name = 'local' as const;
  readonly runs: { batch: string; dispatch: number; keys: string[] }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly capacity: number,
    private readonly script: (
      batch: Batch,
      context: BatchContext,
      finish: (unit: UnitRef, status: UnitStatus, stored?: boolean) => Promise<UnitOutcome>,
    ) => Promise<UnitOutcome[]>,
  ) {}

  supports() {
    return true;
  }

  async run(batch: Batch, context: BatchContext) {
    this.runs.push({ batch: batch.id, dispatch: context.dispatchTry, keys: batch.units.map((u) => u.key) });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((ok) => setTimeout(ok, 5));
      return await this.script(batch, context, async (unit, status, stored = true) => {
        const record: UnitRecord = {
          ...unit,
          runId: context.runId,
          status,
          seq: context.dispatchTry * 1000,
          attempt: 1,
          executor: 'local',
          executorRef: batch.id,
        };
        context.onUnit(record);
        if (stored) await store.recordUnit(record);
        return { record, stored };
      });
    } finally {
      this.inFlight--;
    }
  }
}

let store: DynamoStore;

describe('dispatch', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-dispatch-'));
    ({ store } = await openEmbeddedStore(dir));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function go(executor: Executor, extra: Partial<DispatchOptions> = {}) {
    const runId = newRunId();
    await store.queueUnits(runId, units);
    const result = await dispatch({
      runId,
      queues: new Map([['local', exactQueue(units, () => 1000, { executor: 'local', slots: 2, startMs: 0 })]]),
      executors: new Map([['local', executor]]),
      store,
      infraRetries: 2,
      batchTimeoutMs: 10_000,
      signal: new AbortController().signal,
      ...extra,
    });
    const stored = new Map((await store.getUnits(runId)).map((u) => [u.key, u]));
    return { result, stored };
  }

  it("re-queues a crashed batch's unfinished units, and only those", async () => {
    const executor = new ScriptedExecutor(2, async (batch, context, finish) => {
      if (context.dispatchTry === 1 && batch.id === 'local-001') {
        const done = await finish(batch.units[0]!, 'passed', false);
        throw new BatchError('worker killed', 'crashed', [done]);
      }
      return Promise.all(batch.units.map((unit) => finish(unit, 'passed')));
    });
    const { result, stored } = await go(executor);
    const retry = executor.runs.find((r) => r.dispatch === 2)!;
    assert.equal(retry.batch, 'local-001.2');
    assert.equal(retry.keys.length, 2, 'the finished unit is not run again');
    assert.equal(result.errored.size, 0);
    assert.ok([...stored.values()].every((u) => u.status === 'passed'));
    assert.equal(stored.size, units.length, 'every unit accounted for exactly once');
  });

  it('gives up after infraRetries and records the units as errored, not failed', async () => {
    const executor = new ScriptedExecutor(2, async (batch, _context, finish) => {
      if (batch.id.startsWith('local-002')) throw new BatchError('out of memory', 'crashed');
      return Promise.all(batch.units.map((unit) => finish(unit, 'passed')));
    });
    const requeues: number[] = [];
    const { result, stored } = await go(executor, { onRequeue: (_units, _error, next) => requeues.push(next) });
    assert.deepEqual(requeues, [2, 3]);
    assert.equal(executor.runs.filter((r) => r.batch.startsWith('local-002')).length, 3);
    const errored = [...stored.values()].filter((u) => u.status === 'errored');
    assert.equal(errored.length, 3);
    assert.match(errored[0]!.error!.message, /out of memory \(gave up after 3 tries\)/);
    assert.equal(result.errored.size, 3);
  });

  it('never retries a test failure', async () => {
    const executor = new ScriptedExecutor(2, async (batch, _context, finish) =>
      Promise.all(batch.units.map((unit) => finish(unit, 'failed'))),
    );
    const { stored } = await go(executor);
    assert.equal(executor.runs.length, 2);
    assert.ok([...stored.values()].every((u) => u.status === 'failed'));
  });

  it('records units Playwright never ran as errored, without retrying', async () => {
    const executor = new ScriptedExecutor(2, async (batch, _context, finish) =>
      Promise.all(batch.units.slice(1).map((unit) => finish(unit, 'passed'))),
    );
    const { stored, result } = await go(executor);
    assert.equal(executor.runs.length, 2);
    assert.equal(result.errored.size, 2);
    assert.match(
      [...stored.values()].find((u) => u.status === 'errored')!.error!.message,
      /Playwright did not find this test/,
    );
  });

  it('writes results the executor could not store itself', async () => {
    const executor = new ScriptedExecutor(2, async (batch, _context, finish) =>
      Promise.all(batch.units.map((unit) => finish(unit, 'passed', false))),
    );
    const { stored } = await go(executor);
    assert.ok([...stored.values()].every((u) => u.status === 'passed' && u.seq === 1000));
  });

  it('keeps no more batches in flight than the executor has capacity', async () => {
    const executor = new ScriptedExecutor(1, async (batch, _context, finish) =>
      Promise.all(batch.units.map((unit) => finish(unit, 'passed'))),
    );
    await go(executor);
    assert.equal(executor.maxInFlight, 1);
  });

  it('gives a slot its next batch only when it frees up, and tells the queue each batch’s time', async () => {
    const executor = new ScriptedExecutor(2, async (batch, _context, finish) =>
      Promise.all(batch.units.map((unit) => finish(unit, 'passed'))),
    );
    const asked: number[] = [];
    const ended: { id: string; wallMs: number }[] = [];
    const pieces = units.map((unit, i): Batch => ({
      id: `local-${i}`,
      executor: 'local',
      units: [unit],
      estimatedMs: 1,
    }));
    const source = {
      next: (now: number) => {
        asked.push(now);
        return pieces.shift();
      },
      done: (id: string, wallMs: number) => ended.push({ id, wallMs }),
    };
    const runId = newRunId();
    await store.queueUnits(runId, units);
    const result = await dispatch({
      runId,
      queues: new Map([['local', source]]),
      executors: new Map([['local', executor]]),
      store,
      infraRetries: 0,
      batchTimeoutMs: 10_000,
      signal: new AbortController().signal,
    });
    assert.equal(result.batchesRun, 6);
    assert.equal(executor.maxInFlight, 2, 'two slots, each pulling');
    assert.deepEqual(ended.map((end) => end.id).sort(), units.map((_, i) => `local-${i}`).sort());
    assert.ok(
      ended.every((end) => end.wallMs >= 5),
      'each batch timed, start to end',
    );
    assert.ok(asked.at(-1)! >= asked[0]!, 'asked with the time since dispatch began');
    assert.ok(
      asked.slice(2).every((now) => now >= 5),
      'after the first two, only a freed slot asks',
    );
  });

  it('stops a batch that runs past its timeout and re-queues its units', async () => {
    const executor = new ScriptedExecutor(2, async (batch, context, finish) => {
      if (context.dispatchTry === 1 && batch.id === 'local-001') {
        await new Promise((_, fail) => context.signal.addEventListener('abort', () => fail(context.signal.reason)));
      }
      return Promise.all(batch.units.map((unit) => finish(unit, 'passed')));
    });
    const { stored } = await go(executor, { batchTimeoutMs: 50 });
    assert.ok(executor.runs.some((r) => r.batch === 'local-001.2'));
    assert.ok([...stored.values()].every((u) => u.status === 'passed'));
  });

  it('starts nothing new once cancelled', async () => {
    const controller = new AbortController();
    const executor = new ScriptedExecutor(1, async (batch, context, finish) => {
      controller.abort();
      if (context.signal.aborted) throw new BatchError('run cancelled', 'cancelled');
      return Promise.all(batch.units.map((unit) => finish(unit, 'passed')));
    });
    const { stored } = await go(executor, { signal: controller.signal });
    assert.equal(executor.runs.length, 1);
    assert.ok(
      [...stored.values()].every((u) => u.status === 'queued'),
      'the caller closes them as cancelled',
    );
  });

  it('ends as an infrastructure error when the store fails, starting nothing after it and finishing what runs', async () => {
    const failing = Object.create(store) as DynamoStore;
    let writes = 0;
    failing.recordUnit = async (unit) => {
      if (++writes === 2) throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
      if (writes > 2) throw new Error('the store is still down');
      return store.recordUnit(unit);
    };
    const executor = new ScriptedExecutor(1, async (batch, _context, finish) =>
      Promise.all(batch.units.map((unit) => finish(unit, 'passed', false))),
    );
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      await assert.rejects(
        go(executor, { store: failing }),
        (error: Error) =>
          error.name === 'InfraError' &&
          /result store failed while recording results \(Internal server error\)/.test(error.message),
      );
      await new Promise((ok) => setTimeout(ok, 50));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    assert.equal(executor.runs.length, 1, 'no batch starts after the store failed');
    assert.deepEqual(rejections, []);
  });
});
