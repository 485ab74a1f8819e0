// What a running run shows the status site while it goes, from what its orchestrator sees: the
// run item's counts, kept roughly current for the runs list, and a live snapshot of every unit
// (artifacts/run-snapshot.ts) for the first viewer of a big run, who then need not wait for the
// store to hand over thousands of items. Both from every unit of the run, so a resumed run's
// include the results it kept; neither is ever the record — the store is.
import { writeLiveSnapshot } from '../artifacts/run-snapshot.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { UnitRecord } from '../core/model.ts';
import { countStatuses } from '../core/statuses.ts';
import type { ResultStore } from '../store/result-store.ts';

const COUNTS_MS = 2_000;
/** A few of these make the live snapshot's age limit (LIVE_MAX_AGE_MS). */
const SNAPSHOT_MS = 5_000;

export interface RunPublisher {
  /** A unit's news, as an executor reported it. */
  seen(record: UnitRecord): void;
  stop(): void;
}

/** Starts publishing the run's counts and live snapshot; the snapshot goes nowhere without an artifact store. */
export async function publishRun(
  store: ResultStore,
  runId: string,
  artifacts: ArtifactStore | undefined,
): Promise<RunPublisher> {
  const units = new Map((await store.getUnits(runId)).map((unit) => [unit.key, unit]));
  const changed = { counts: false, snapshot: true };
  const snapshot = () => {
    if (!artifacts || !changed.snapshot) return;
    changed.snapshot = false;
    void writeLiveSnapshot(artifacts, runId, [...units.values()]).catch(() => undefined);
  };
  // At once: the first viewer comes as the run is announced.
  snapshot();
  const timers = [
    setInterval(() => {
      if (!changed.counts) return;
      changed.counts = false;
      void store.updateRun(runId, { counts: countStatuses([...units.values()]) }).catch(() => undefined);
    }, COUNTS_MS),
    setInterval(snapshot, SNAPSHOT_MS),
  ];
  return {
    seen(record) {
      const known = units.get(record.key);
      // An older try's late news never replaces a newer one's, here as in the store.
      if (known && known.seq > record.seq) return;
      units.set(record.key, { ...known, ...record });
      changed.counts = changed.snapshot = true;
    },
    stop: () => timers.forEach(clearInterval),
  };
}
