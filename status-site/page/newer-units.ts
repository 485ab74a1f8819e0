// What the page shows of a run's units across polls: a result it has shown is never replaced by an
// older one. A poll's answer can be older than the last — the first read of a running run may come
// from its orchestrator's live snapshot (app/run-cache.ts), another server may answer the next —
// and a unit's seq orders its news as the store orders its writes (runner/core/seq.ts).
import type { Unit } from './api.ts';

/** Takes a poll's units, keeping any the page already shows from a later write (higher seq). */
export function newerUnits(shown: readonly Unit[], polled: readonly Unit[]): Unit[] {
  if (shown.length === 0) return [...polled];
  const before = new Map(shown.map((unit) => [unit.key, unit]));
  return polled.map((unit) => {
    const known = before.get(unit.key);
    return known && known.seq > unit.seq ? known : unit;
  });
}
