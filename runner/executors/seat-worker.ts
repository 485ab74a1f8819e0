// The container's side of a seat (seat-pool.ts): says it is ready, waits for a batch, runs it,
// says it is ready again naming the batch — until the orchestrator releases the seat, or gives it
// nothing for `waitMs` (an orchestrator that died must not leave builds billing to their timeout).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultStore, SeatRecord } from '../store/result-store.ts';

export type SeatBatch = NonNullable<SeatRecord['batch']>;

export interface SeatWork {
  runId: string;
  seatId: string;
  buildId: string;
  /** Runs a batch; says how Playwright crashed, when it did (the seat goes on to the next). */
  runBatch(batch: SeatBatch): Promise<{ crashed?: string }>;
  /** How often the seat is read while waiting. @default 1000 */
  pollMs?: number;
  /** How long to wait for a batch before exiting. @default 300000 */
  waitMs?: number;
  signal?: AbortSignal;
}

/** How the seat ended: released by the orchestrator, or waited out. */
export type SeatEnd = 'released' | 'waited out';

/** Serves the seat until it ends; counts the batches it ran, and those that crashed. */
export async function serveSeat(
  store: ResultStore,
  work: SeatWork,
): Promise<{ end: SeatEnd; batches: number; crashed: number }> {
  const { runId, seatId, buildId } = work;
  let last: SeatRecord['last'];
  let batches = 0;
  let crashed = 0;
  for (;;) {
    if (!(await store.readySeat(runId, seatId, buildId, last))) return { end: 'released', batches, crashed };
    const next = await assignment(store, work);
    if (next === 'released' || next === 'waited out') return { end: next, batches, crashed };
    batches++;
    // A crash is told with the batch (the orchestrator re-queues what it did not finish), and the
    // seat takes the next one: the container itself is fine.
    const ran = await work.runBatch(next);
    if (ran.crashed) crashed++;
    last = { ...next, ...(ran.crashed ? { crashed: ran.crashed } : {}) };
  }
}

async function assignment(store: ResultStore, work: SeatWork): Promise<SeatBatch | 'released' | 'waited out'> {
  const until = Date.now() + (work.waitMs ?? 300_000);
  for (;;) {
    const seat = await store.getSeat(work.runId, work.seatId);
    if (seat?.state === 'released' || work.signal?.aborted) return 'released';
    if (seat?.state === 'assigned' && seat.batch) return seat.batch;
    if (Date.now() >= until) {
      // Closed first, so a batch assigned from now on is seen as lost when this build ends.
      await store.releaseSeat(work.runId, work.seatId);
      return 'waited out';
    }
    await sleep(work.pollMs ?? 1_000);
  }
}
