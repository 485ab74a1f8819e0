// A finished run's units as one object beside its artifacts (`<runId>/run.json`). The store holds
// one item per unit, and reading thousands of them is what the first viewer of a big run waits
// for; a finished run's units no longer change, so the status site reads this object instead.
import type { RunMeta, UnitRecord } from '../core/model.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { artifactStoreOf, type ArtifactSettings } from './from-env.ts';

export const SNAPSHOT_PATH = 'run.json';

export interface RunSnapshot {
  runId: string;
  /** The finish this snapshot belongs to: a resumed run finishes again, and the old one no longer fits. */
  finishedAt: string;
  units: UnitRecord[];
}

export async function writeRunSnapshot(
  artifacts: ArtifactStore,
  run: RunMeta,
  units: readonly UnitRecord[],
): Promise<void> {
  if (!run.finishedAt)
    throw new Error(`run ${run.runId} has not finished: only a finished run's units stay as they are`);
  const snapshot: RunSnapshot = { runId: run.runId, finishedAt: run.finishedAt, units: [...units] };
  await artifacts.putObject(`${run.runId}/${SNAPSHOT_PATH}`, Buffer.from(JSON.stringify(snapshot)), 'application/json');
}

/** Opens the configured artifact store just for the snapshot; returns why it could not be kept, if it could not. */
export async function keepRunSnapshot(
  settings: ArtifactSettings,
  run: RunMeta,
  units: readonly UnitRecord[],
): Promise<string | undefined> {
  const artifacts = artifactStoreOf(settings);
  if (!artifacts) return undefined;
  try {
    await writeRunSnapshot(artifacts, run, units);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    artifacts.close?.();
  }
}

/** Returns the snapshot's units when it belongs to this finish of this run; else undefined (read the store). */
export function snapshotUnits(text: string, run: RunMeta): UnitRecord[] | undefined {
  if (run.status === 'running' || !run.finishedAt) return undefined;
  try {
    const snapshot = JSON.parse(text) as Partial<RunSnapshot>;
    const fits =
      snapshot.runId === run.runId && snapshot.finishedAt === run.finishedAt && Array.isArray(snapshot.units);
    return fits ? snapshot.units : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A running run's units as its orchestrator last knew them (`<runId>/live.json`), rewritten every
 * few seconds while they change: the first viewer of a big running run is shown this at once
 * while the status site reads the store behind it, instead of waiting for thousands of items.
 */
export const LIVE_PATH = 'live.json';

/** How old a live snapshot may be and still be shown first: a few of its writer's intervals. */
export const LIVE_MAX_AGE_MS = 30_000;

export interface LiveSnapshot {
  runId: string;
  /** When its units were as they are in it. */
  at: string;
  units: UnitRecord[];
}

export async function writeLiveSnapshot(
  artifacts: ArtifactStore,
  runId: string,
  units: readonly UnitRecord[],
  at = new Date(),
): Promise<void> {
  const snapshot: LiveSnapshot = { runId, at: at.toISOString(), units: [...units] };
  await artifacts.putObject(`${runId}/${LIVE_PATH}`, Buffer.from(JSON.stringify(snapshot)), 'application/json');
}

/** Returns a live snapshot's units when it is this running run's and recent enough; else undefined (read the store). */
export function liveSnapshotUnits(text: string, run: RunMeta, now: number): UnitRecord[] | undefined {
  if (run.status !== 'running') return undefined;
  try {
    const snapshot = JSON.parse(text) as Partial<LiveSnapshot>;
    const age = now - Date.parse(snapshot.at ?? '');
    const fits = snapshot.runId === run.runId && age >= -5_000 && age <= LIVE_MAX_AGE_MS;
    return fits && Array.isArray(snapshot.units) ? snapshot.units : undefined;
  } catch {
    return undefined;
  }
}
