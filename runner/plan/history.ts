// What earlier runs say about each unit's duration, for sizing batches.
import type { ResultStore } from '../store/result-store.ts';
import { isMeasured } from '../core/statuses.ts';

/** Each unit key's recorded durations, newest first. */
export type Durations = Map<string, number[]>;

/** Reads the durations per unit key from the most recent finished runs, newest first (estimates.ts weighs them so). */
export async function recentDurations(store: ResultStore, runs = 5): Promise<Durations> {
  const durations = new Map<string, number[]>();
  const { items } = await store.listRuns({ limit: runs * 2 });
  const finished = items.filter((run) => run.status !== 'running').slice(0, runs);
  for (const run of finished) {
    for (const unit of await store.getUnits(run.runId)) {
      if (!isMeasured(unit.status) || unit.durationMs === undefined) continue;
      durations.set(unit.key, [...(durations.get(unit.key) ?? []), unit.durationMs]);
    }
  }
  return durations;
}
