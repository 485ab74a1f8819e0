import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnitRef } from '../core/model.ts';
import { makeUnit } from '../playwright/list.ts';
import type { Batch } from './plan.ts';
import {
  exactQueue,
  expectedMaxOfNormals,
  HOLD,
  inOrderMs,
  packBins,
  sizedPieces,
  WorkQueue,
  type QueueOptions,
} from './queue.ts';

const unit = (file: string, title: string, project = 'chromium', group?: string): UnitRef => ({
  ...makeUnit(`/t/${file}`, '/t', ['Suite', title], project, 1, 1),
  ...(group ? { group } : {}),
});

const units = Array.from({ length: 40 }, (_, i) => unit(`m${i % 4}.spec.ts`, `t${i}`, i % 2 ? 'firefox' : 'chromium'));
const durations = new Map(units.map((u, i) => [u.key, 1000 + ((i * 7919) % 13) * 500]));
const durationOf = (u: UnitRef) => durations.get(u.key)!;
const local = (slots: number, extra: Partial<QueueOptions> = {}): QueueOptions => ({
  executor: 'local',
  slots,
  startMs: 0,
  ...extra,
});

function drain(queue: WorkQueue): Batch[] {
  const batches: Batch[] = [];
  for (let batch = queue.next(); batch; batch = queue.next()) batches.push(batch);
  return batches;
}

/** Runs a queue on `slots` simulated slots: each batch takes its units' true durations plus `startMs`. */
function simulate(queue: WorkQueue, slots: number, trueMs: (u: UnitRef) => number, startMs: number) {
  const free = Array.from({ length: slots }, () => 0);
  const ends: { at: number; id: string; wall: number }[] = [];
  let batches = 0;
  for (;;) {
    const slot = free.indexOf(Math.min(...free));
    const now = free[slot]!;
    ends.sort((a, b) => a.at - b.at);
    while (ends.length && ends[0]!.at <= now) {
      const ended = ends.shift()!;
      queue.done(ended.id, ended.wall);
    }
    const batch = queue.next(now);
    if (!batch) break;
    batches++;
    const wall = startMs + batch.units.reduce((sum, u) => sum + trueMs(u), 0);
    free[slot] = now + wall;
    ends.push({ at: free[slot]!, id: batch.id, wall });
  }
  return { makespan: Math.max(...free), batches };
}

describe('the work queue', () => {
  it('hands out every unit exactly once', () => {
    const keys = drain(exactQueue(units, durationOf, local(3))).flatMap((b) => b.units.map((u) => u.key));
    assert.equal(keys.length, units.length);
    assert.equal(new Set(keys).size, units.length);
  });

  it('with exact durations, packs one batch per slot longest-first, close to total ÷ slots', () => {
    const queue = exactQueue(units, durationOf, local(4));
    assert.equal(queue.heldBack, 0);
    const batches = drain(queue);
    const total = units.reduce((sum, u) => sum + durationOf(u), 0);
    assert.equal(batches.length, 4);
    assert.ok(batches[0]!.estimatedMs <= total / 4 + Math.max(...durations.values()));
    assert.ok(batches[0]!.estimatedMs >= batches.at(-1)!.estimatedMs, 'longest batch first');
  });

  it('never splits a Playwright group, whatever the slots', () => {
    const serial = Array.from({ length: 6 }, (_, i) => unit('serial.spec.ts', `step ${i}`, 'chromium', 'serial-1'));
    const batches = drain(exactQueue([...serial, ...units], durationOf, local(8)));
    const holding = batches.filter((b) => b.units.some((u) => u.group === 'serial-1'));
    assert.equal(holding.length, 1);
    assert.equal(holding[0]!.units.filter((u) => u.group === 'serial-1').length, 6);
  });

  it('uses no more slots than the work pays for: each batch carries a few times its start', () => {
    // 40 units of ~4 s on 8 slots, each batch paying 30 s to start: fewer, fuller batches.
    const queue = exactQueue(units, durationOf, local(8, { startMs: 30_000 }));
    assert.ok(queue.width < 8, `width ${queue.width}`);
  });

  it('fills every slot the work can pay a start for: 20 containers for 20 × 4.5 minutes of work at 2 minutes a start', () => {
    const many = Array.from({ length: 400 }, (_, i) => unit(`w${i}.spec.ts`, `t${i}`, 'firefox'));
    const queue = exactQueue(many, () => 13_500, { executor: 'codebuild', slots: 20, startMs: 120_000 });
    assert.equal(queue.width, 20);
  });

  it('splits past maxBatchMs into whole rounds of the slots, so no slot runs a round more than the others', () => {
    // 100 minutes of one-minute tests on 10 Lambda slots that may run 9 minutes a batch.
    const many = Array.from({ length: 100 }, (_, i) => unit(`r${i}.spec.ts`, `t${i}`));
    const queue = exactQueue(many, () => 60_000, { executor: 'lambda', slots: 10, startMs: 0, maxBatchMs: 9 * 60_000 });
    const { makespan, batches } = simulate(queue, 10, () => 60_000, 0);
    assert.equal(batches % 10, 0, `${batches} batches: whole rounds of 10`);
    assert.equal(makespan, 10 * 60_000, 'each slot ten minutes, as the work divides');
  });

  it('splits by maxBatchMs, and keeps one batch when there is only one slot', () => {
    assert.equal(drain(exactQueue(units, durationOf, local(1))).length, 1);
    assert.ok(drain(exactQueue(units, durationOf, local(1, { maxBatchMs: 10_000 }))).length > 1);
  });

  it('orders a batch by project then file, so each browser launches once', () => {
    const [batch] = drain(exactQueue(units, durationOf, local(1)));
    const projects = batch!.units.map((u) => u.project);
    assert.deepEqual(projects, [...projects].sort());
  });

  it("expects less than Playwright's own order when a long group is listed last, and says so", () => {
    const listed = [unit('a.spec.ts', 'short'), unit('b.spec.ts', 'short too'), unit('z.spec.ts', 'long')];
    const ms = new Map([
      [listed[0]!.key, 1_500],
      [listed[1]!.key, 1_500],
      [listed[2]!.key, 7_000],
    ]);
    const pieces = sizedPieces(listed, (u) => ({ ms: ms.get(u.key)!, uncertainty: 0.02, basis: 'history' }));
    assert.equal(inOrderMs(pieces, 2, 1_000), 1_500 + 7_000 + 1_000);
    const split = new WorkQueue(pieces, { executor: 'local', slots: 2, startMs: 1_000, allUpFront: true });
    assert.ok(split.expectedMs < inOrderMs(pieces, 2, 1_000), `${split.expectedMs} ms`);
    // Even one run's durations (±30 %) are worth betting on when the long group is this long:
    // the slower of two slots overruns by about 0.56 σ.
    const unsure = sizedPieces(listed, (u) => ({ ms: ms.get(u.key)!, uncertainty: 0.3, basis: 'history' }));
    const guess = new WorkQueue(unsure, { executor: 'local', slots: 2, startMs: 1_000, allUpFront: true });
    assert.equal(guess.heldBack, 0, 'all up front, as asked');
    assert.ok(guess.expectedMs < inOrderMs(unsure, 2, 1_000), `${guess.expectedMs} ms`);
  });

  it('promises no gain from a split when the gain is smaller than the estimates are unsure', () => {
    const listed = [unit('a.spec.ts', 'a'), unit('b.spec.ts', 'b'), unit('z.spec.ts', 'z')];
    const ms = new Map(listed.map((u, i) => [u.key, i === 2 ? 3_500 : 3_000]));
    const pieces = sizedPieces(listed, (u) => ({ ms: ms.get(u.key)!, uncertainty: 0.3, basis: 'history' }));
    // Split: z alone, a and b together: 6 s plus 0.56 σ; Playwright's order: z after a, 6.5 s.
    const split = new WorkQueue(pieces, { executor: 'local', slots: 2, startMs: 1_000, allUpFront: true });
    assert.ok(split.expectedMs > inOrderMs(pieces, 2, 1_000), `${split.expectedMs} ms`);
  });

  describe('when the estimates are unsure', () => {
    // 400 tests: firefox three times slower than chromium, each file its own pace — none recorded.
    const suite = Array.from({ length: 400 }, (_, i) =>
      unit(`f${i % 40}.spec.ts`, `t${i}`, i % 2 ? 'firefox' : 'chromium'),
    );
    const trueMs = (u: UnitRef) =>
      (u.project === 'firefox' ? 3 : 1) * (400 + ((Number(u.file.match(/\d+/)![0]) * 7919) % 9) * 300);
    const unknown = sizedPieces(suite, () => ({ ms: 5_000, uncertainty: 1.5, basis: 'default' }));

    it('holds work back and hands it out as slots free up, in chunks that shrink toward the end', () => {
      const queue = new WorkQueue(unknown, { executor: 'lambda', slots: 10, startMs: 1_000 });
      assert.equal(queue.heldBack, HOLD);
      const sizes: number[] = [];
      for (let batch = queue.next(0); batch; batch = queue.next(0)) sizes.push(batch.units.length);
      const pool = sizes.slice(10);
      assert.ok(pool.length > 0);
      assert.ok(pool.at(-1)! <= pool[0]!, `pool chunks ${pool.join(', ')}`);
    });

    it('ends the run near the bound', () => {
      const total = suite.reduce((sum, u) => sum + trueMs(u), 0);
      const bound = total / 10 + 1_000;
      const pulled = simulate(
        new WorkQueue(unknown, { executor: 'lambda', slots: 10, startMs: 1_000 }),
        10,
        trueMs,
        1_000,
      );
      assert.ok(pulled.makespan <= bound * 1.08, `pulled ${pulled.makespan} ms, bound ${bound} ms`);
      assert.ok(pulled.batches <= 6 * 10, `${pulled.batches} batches for 10 slots`);
    });

    it('ends sooner than a split made ahead on the same estimates when some files are slow', () => {
      // Packed ahead, each bin gets its share of each browser, so the browsers' pace is no
      // surprise; the files' is: every eighth file runs 2.5 times slower.
      const slowFiles = (u: UnitRef) => trueMs(u) * (Number(u.file.match(/\d+/)![0]) % 8 === 3 ? 2.5 : 1);
      const ahead = simulate(
        exactQueue(suite, () => 5_000, { executor: 'lambda', slots: 10, startMs: 1_000 }),
        10,
        slowFiles,
        1_000,
      );
      const pulled = simulate(
        new WorkQueue(unknown, { executor: 'lambda', slots: 10, startMs: 1_000 }),
        10,
        slowFiles,
        1_000,
      );
      assert.ok(
        pulled.makespan < ahead.makespan * 0.95,
        `pulled ${pulled.makespan} ms vs split ahead ${ahead.makespan} ms`,
      );
    });

    it('learns how far off the estimates run from the batches that ended, and sizes the rest by it', () => {
      const queue = new WorkQueue(unknown, { executor: 'lambda', slots: 10, startMs: 1_000 });
      const first = Array.from({ length: 10 }, () => queue.next(0)!);
      // Every first batch took a tenth of its estimate: the pool is worth a tenth as much time.
      for (const batch of first) queue.done(batch.id, 1_000 + batch.estimatedMs / 10);
      const slow = new WorkQueue(unknown, { executor: 'lambda', slots: 10, startMs: 1_000 });
      for (const batch of Array.from({ length: 10 }, () => slow.next(0)!))
        slow.done(batch.id, 1_000 + batch.estimatedMs);
      // Same share of a smaller time: at least as many units, never cut under the start's worth.
      assert.ok(queue.next(0)!.units.length >= slow.next(0)!.units.length);
    });
  });
});

describe('packing ahead', () => {
  const sized = (list: UnitRef[], ms: (u: UnitRef, i: number) => number) =>
    sizedPieces(list, (u) => ({ ms: ms(u, list.indexOf(u)), uncertainty: 0, basis: 'history' }));
  const share = (bin: { units: UnitRef[] }, project: string, pieces: ReturnType<typeof sized>) =>
    pieces
      .filter((p) => p.units[0]!.project === project && bin.units.includes(p.units[0]!))
      .reduce((t, p) => t + p.ms, 0);

  describe('for slots that keep their container and come up at different times (CodeBuild seats)', () => {
    const suite = Array.from({ length: 400 }, (_, i) => unit(`f${i % 80}.spec.ts`, `t${i}`));
    const ms = (u: UnitRef) => 2_000 + (Number(u.file.match(/\d+/)![0]) % 7) * 1_000;
    const slots = 8;
    /** Slot i is up at spread·i/(slots−1); a batch on a slot already up pays `nextStartMs`; the longest batch waiting goes to the first slot up. */
    function seats(queue: WorkQueue, spread: number, nextStartMs: number) {
      const free = Array.from({ length: slots }, (_, i) => (spread * i) / (slots - 1));
      for (;;) {
        const slot = free.indexOf(Math.min(...free));
        const now = free[slot]!;
        const batch = queue.next(now);
        if (!batch) break;
        const up = now >= spread;
        free[slot] = now + (up ? nextStartMs : 0) + batch.units.reduce((sum, u) => sum + ms(u), 0);
      }
      return Math.max(...free);
    }
    const options = { executor: 'codebuild' as const, slots, startMs: 60_000, nextStartMs: 1_000 };

    it('holds work back when the slots may start a minute apart, even on exact estimates', () => {
      assert.equal(exactQueue(suite, ms, options).heldBack, 0, 'all up at once: one batch each');
      assert.equal(exactQueue(suite, ms, { ...options, startSpreadMs: 60_000 }).heldBack, HOLD);
    });

    it('ends near the bound for slots as they came up, and well before packing it all up front', () => {
      const total = suite.reduce((sum, u) => sum + ms(u), 0);
      // Poured without gaps into each slot from the moment it is up.
      const bound = (total + (60_000 * slots) / 2) / slots;
      const held = seats(exactQueue(suite, ms, { ...options, startSpreadMs: 60_000 }), 60_000, 1_000);
      const packed = seats(exactQueue(suite, ms, options), 60_000, 1_000);
      assert.ok(held <= bound * 1.05, `held back: ${held} ms, bound ${bound} ms`);
      assert.ok(held < packed * 0.95, `held back ${held} ms, all up front ${packed} ms`);
    });
  });

  it("gives each bin a share of each browser's work, so a browser's drift is shared", () => {
    // One long firefox file and many short ones: plain LPT would give one bin nearly all firefox.
    const list = [
      unit('long.spec.ts', 'long', 'firefox'),
      ...Array.from({ length: 12 }, (_, i) => unit(`f${i}.spec.ts`, `f${i}`, 'firefox')),
      ...Array.from({ length: 12 }, (_, i) => unit(`c${i}.spec.ts`, `c${i}`, 'chromium')),
    ];
    const pieces = sized(list, (u, i) => (i === 0 ? 12_000 : u.project === 'firefox' ? 1_000 : 2_000));
    const bins = packBins(pieces, 2);
    assert.equal(bins.length, 2);
    for (const bin of bins) {
      assert.equal(share(bin, 'firefox', pieces), 12_000, 'half the firefox work');
      assert.equal(share(bin, 'chromium', pieces), 12_000, 'half the chromium work');
    }
  });

  it('packs one project exactly as longest-first, and keeps longest-first when mixing would cost more', () => {
    const one = sized(
      units.filter((u) => u.project === 'chromium'),
      (u) => durationOf(u),
    );
    const bins = packBins(one, 3);
    const loads = bins.map((bin) => bin.ms).sort((a, b) => b - a);
    assert.ok(loads[0]! - loads.at(-1)! <= Math.max(...one.map((p) => p.ms)), `${loads}`);
    // Two 10 s groups, one per browser, and 1 s of chromium: mixing cannot split a group.
    const lumpy = sized([unit('a.spec.ts', 'a', 'firefox'), unit('b.spec.ts', 'b'), unit('c.spec.ts', 'c')], (_, i) =>
      i === 2 ? 1_000 : 10_000,
    );
    assert.equal(Math.max(...packBins(lumpy, 2).map((bin) => bin.ms)), 11_000);
  });
});

describe('the overrun of the slowest slot', () => {
  it('is the expected largest of the slots’ errors: 0.56 σ of two, 2.25 σ of fifty', () => {
    assert.equal(expectedMaxOfNormals(1), 0);
    assert.ok(Math.abs(expectedMaxOfNormals(2) - 0.5642) < 1e-3);
    assert.ok(Math.abs(expectedMaxOfNormals(50) - 2.2491) < 1e-3);
  });
});
