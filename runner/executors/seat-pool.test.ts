import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { Batch } from '../plan/plan.ts';
import type { BatchContext } from './executor.ts';
import { SeatPool, type Fleet, type SeatLost } from './seat-pool.ts';

const batch = (id: string, estimatedMs: number): Batch => ({ id, executor: 'codebuild', units: [], estimatedMs });
const context = (dispatchTry = 1, signal = new AbortController().signal): BatchContext => ({
  runId: 'r',
  dispatchTry,
  signal,
  onUnit() {},
});

/** A fleet that records what the pool asked of it; the test says when containers are ready or end. */
function fleet(options: { assign?: (seatId: string) => boolean; launch?: (seatId: string) => Promise<void> } = {}) {
  const calls: string[] = [];
  const assigned = new Map<string, string>();
  const recorder: Fleet = {
    launch: async (containerId, seatIds) => {
      calls.push(`launch ${seatIds.join(' ')}`);
      await options.launch?.(containerId);
    },
    assign: async (seatId, b) => {
      calls.push(`assign ${b.id} to ${seatId}`);
      assigned.set(seatId, b.id);
      return options.assign?.(seatId) ?? true;
    },
    release: async (seatId) => void calls.push(`release ${seatId}`),
    stop: async (seatId) => void calls.push(`stop ${seatId}`),
  };
  return { recorder, calls, assigned };
}

const pool = (f: Fleet, capacity = 3, idleMs = 60_000) =>
  new SeatPool(f, { capacity, idleMs, containerId: (n) => `c${n}` });

describe('the seat pool (late binding)', () => {
  it('gives the longest waiting batch to the first container ready, not to the one asked for first', async () => {
    const f = fleet();
    const p = pool(f.recorder);
    const long = p.run(batch('long', 300), context());
    const short = p.run(batch('short', 100), context());
    await tick();
    assert.deepEqual(f.calls, ['launch c1.1', 'launch c2.1']);
    p.ready('c2.1');
    await tick();
    assert.equal(f.assigned.get('c2.1'), 'long');
    p.ready('c1.1');
    await tick();
    assert.equal(f.assigned.get('c1.1'), 'short');
    p.finished('c1.1', 'short', 1);
    p.finished('c2.1', 'long', 1);
    assert.deepEqual(await Promise.all([long, short]), ['c2.1', 'c1.1']);
    await p.close();
  });

  it('runs the next batch on a container that just finished one, without starting another', async () => {
    const f = fleet();
    const p = pool(f.recorder, 1);
    const first = p.run(batch('a', 100), context());
    await tick();
    p.ready('c1.1');
    await tick();
    p.finished('c1.1', 'a', 1);
    assert.equal(await first, 'c1.1');
    const second = p.run(batch('b', 100), context());
    await tick();
    assert.deepEqual(f.calls, ['launch c1.1', 'assign a to c1.1', 'assign b to c1.1']);
    p.finished('c1.1', 'b', 1);
    assert.equal(await second, 'c1.1');
    await p.close();
    assert.deepEqual(f.calls.slice(-1), ['release c1.1'], 'released when the run is over');
  });

  it('asks for no more containers than its capacity, and no more than batches wait', async () => {
    const f = fleet();
    const p = pool(f.recorder, 2);
    void p.run(batch('a', 1), context()).catch(() => {});
    await tick();
    assert.equal(p.live, 1);
    void p.run(batch('b', 1), context()).catch(() => {});
    void p.run(batch('c', 1), context()).catch(() => {});
    await tick();
    assert.equal(p.live, 2);
    await p.close();
  });

  it('releases a container left idle with nothing waiting, and one that came up after its batch went elsewhere', async () => {
    const f = fleet();
    const p = pool(f.recorder, 2, 5);
    const a = p.run(batch('a', 100), context());
    await tick();
    p.ready('c1.1');
    await tick();
    p.finished('c1.1', 'a', 1);
    await a;
    // b is asked for while s1 is idle: it takes s1, and nothing new is started.
    const b = p.run(batch('b', 100), context());
    await tick();
    assert.equal(f.assigned.get('c1.1'), 'b');
    assert.ok(!f.calls.includes('launch c2.1'));
    p.finished('c1.1', 'b', 1);
    await b;
    await new Promise((done) => setTimeout(done, 30));
    assert.ok(f.calls.includes('release c1.1'), 'idle past idleMs with nothing waiting');
    assert.equal(p.live, 0);
  });

  it('fails the batch of a container that ends under it, with the container', async () => {
    const f = fleet();
    const p = pool(f.recorder);
    const a = p.run(batch('a', 100), context());
    await tick();
    p.ready('c1.1');
    await tick();
    p.ended('c1.1', { message: 'CodeBuild b1: FAILED in BUILD: out of memory' });
    await assert.rejects(a, (error: SeatLost) => error.seatId === 'c1.1' && /out of memory/.test(error.message));
    await p.close();
  });

  it('fails one waiting batch per container that dies before it is ready, so broken builds end', async () => {
    const f = fleet();
    const p = pool(f.recorder, 3);
    const a = p.run(batch('a', 100), context());
    const b = p.run(batch('b', 200), context());
    await tick();
    p.ended('c1.1', { message: 'CodeBuild b1: FAILED in DOWNLOAD_SOURCE: no such key' });
    // The batch that waited longest fails; the other still has s2 coming.
    await assert.rejects(a, /DOWNLOAD_SOURCE/);
    await tick();
    assert.deepEqual(f.calls, ['launch c1.1', 'launch c2.1']);
    p.ended('c2.1', { message: 'CodeBuild b2: FAILED in DOWNLOAD_SOURCE: no such key' });
    await assert.rejects(b, /DOWNLOAD_SOURCE/);
    assert.equal(p.live, 0, 'nothing asked for with nothing waiting');
    await p.close();
  });

  it('fails no batch when a surplus container dies before it is ready', async () => {
    const f = fleet();
    const p = pool(f.recorder, 2);
    const a = p.run(batch('a', 200), context());
    const b = p.run(batch('b', 100), context());
    await tick();
    p.ready('c1.1');
    await tick();
    p.finished('c1.1', 'a', 1);
    await a;
    // s1 took b as soon as it was back: s2, still coming up, has nothing left to take.
    assert.equal(f.assigned.get('c1.1'), 'b');
    p.ended('c2.1', { message: 'CodeBuild b2: FAILED in PROVISIONING' });
    p.finished('c1.1', 'b', 1);
    assert.equal(await b, 'c1.1');
    assert.deepEqual(f.calls, ['launch c1.1', 'launch c2.1', 'assign a to c1.1', 'assign b to c1.1']);
    await p.close();
  });

  it("fails a batch whose container could not be started, with StartBuild's error", async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const f = fleet({ launch: async () => Promise.reject(throttled) });
    const p = pool(f.recorder);
    await assert.rejects(p.run(batch('a', 100), context()), (error: SeatLost) => error.launchError === throttled);
    await p.close();
  });

  it('withdraws a waiting batch when its context is aborted, and stops the container of a running one', async () => {
    const f = fleet();
    const p = pool(f.recorder, 1);
    const first = new AbortController();
    const second = new AbortController();
    const a = p.run(batch('a', 200), context(1, first.signal));
    const b = p.run(batch('b', 100), context(1, second.signal));
    await tick();
    second.abort(new Error('run cancelled'));
    await assert.rejects(b, /run cancelled/);
    p.ready('c1.1');
    await tick();
    assert.equal(f.assigned.get('c1.1'), 'a');
    first.abort(new Error('batch a ran past its timeout'));
    await assert.rejects(a, /past its timeout/);
    assert.ok(f.calls.includes('stop c1.1'));
    assert.equal(p.live, 0);
  });

  it('puts a batch back in line when the container it was given was no longer ready', async () => {
    let refuse = true;
    const f = fleet({
      assign: () => {
        const taken = !refuse;
        refuse = false;
        return taken;
      },
    });
    const p = pool(f.recorder, 2);
    const a = p.run(batch('a', 100), context());
    await tick();
    p.ready('c1.1');
    await tick();
    await tick();
    assert.ok(f.calls.includes('stop c1.1'), 'the seat that refused is stopped');
    assert.ok(f.calls.includes('launch c2.1'), 'and another asked for');
    p.ready('c2.1');
    await tick();
    p.finished('c2.1', 'a', 1);
    assert.equal(await a, 'c2.1');
    await p.close();
  });

  it('ignores a finish that names another batch or try', async () => {
    const f = fleet();
    const p = pool(f.recorder);
    let done = false;
    const a = p.run(batch('a', 100), context(2)).then(() => (done = true));
    await tick();
    p.ready('c1.1');
    await tick();
    p.finished('c1.1', 'a', 1);
    p.finished('c1.1', 'x', 2);
    await tick();
    assert.equal(done, false);
    p.finished('c1.1', 'a', 2);
    await a;
    await p.close();
  });
});
