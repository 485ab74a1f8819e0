// GET /api/flaky: the units that went wrong most often over the newest finished runs of a branch —
// what to fix first so that a red run means something again.
import type { Hono } from 'hono';
import pLimit from 'p-limit';
import type { RunMeta } from '../../runner/core/model.ts';
import { isSmokeRun } from '../../runner/core/selection.ts';
import type { ResultStore } from '../../runner/store/result-store.ts';
import { flakiestUnits, type FlakyAnswer } from '../shared/flakiness.ts';
import type { RunCache } from './run-cache.ts';
import { refuse } from '../access/http-error.ts';

/** Runs looked at by default, and at most. */
const DEFAULT_RUNS = 20;
const MAX_RUNS = 50;
/** Run items read at most while looking for finished runs of the branch. */
const SCAN_LIMIT = 1_000;
/** Answers are kept this long: the runs list asks on every refresh. */
const KEEP_MS = 30_000;
/** Answers kept at most: one per branch and window asked for; a caller naming endless branches cannot grow it. */
export const MAX_KEPT = 100;

export function flakyRoute(
  app: Hono,
  store: ResultStore,
  cache: RunCache,
  now = () => Date.now(),
  kept = new Map<string, { at: number; answer: Promise<FlakyAnswer> }>(),
) {
  app.get('/api/flaky', async (c) => {
    const branch = c.req.query('branch');
    const runsParam = c.req.query('runs');
    const runs = runsParam === undefined ? DEFAULT_RUNS : Number(runsParam);
    if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
      return refuse(400, `runs must be a whole number from 1 to ${MAX_RUNS}`);
    if (branch !== undefined && (branch.length === 0 || branch.length > 200))
      return refuse(400, 'branch must be 1 to 200 characters');
    const id = JSON.stringify([branch ?? null, runs]);
    const hit = kept.get(id);
    if (hit && now() - hit.at < KEEP_MS) return c.json(await hit.answer);
    const answer = look(store, cache, branch, runs);
    for (const [key, entry] of kept) if (now() - entry.at >= KEEP_MS) kept.delete(key);
    // A Map iterates oldest first: past the bound, the oldest answer goes.
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(id, { at: now(), answer });
    answer.catch(() => kept.delete(id));
    return c.json(await answer);
  });
}

async function look(
  store: ResultStore,
  cache: RunCache,
  branch: string | undefined,
  count: number,
): Promise<FlakyAnswer> {
  const chosen: RunMeta[] = [];
  let wanted = branch;
  let decided = branch !== undefined;
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await store.listRuns({ limit: 100, cursor });
    for (const run of page.items) {
      // Smoke probes test production, not the commit: their failures are a release's, not a test's.
      if (run.status === 'running' || isSmokeRun(run) || chosen.length >= count) continue;
      // No branch asked for: the branch of the newest finished run (which may be none: no git).
      if (!decided) {
        wanted = run.branch;
        decided = true;
      }
      if (run.branch === wanted) chosen.push(run);
    }
    scanned += page.items.length;
    cursor = page.cursor;
  } while (cursor && chosen.length < count && scanned < SCAN_LIMIT);
  const limit = pLimit(4);
  const runs = await Promise.all(
    chosen.map((run) => limit(async () => ({ runId: run.runId, units: await cache.unitsOnce(run.runId) }))),
  );
  return { branch: wanted ?? null, runs: chosen.map((run) => run.runId), units: flakiestUnits(runs) };
}
