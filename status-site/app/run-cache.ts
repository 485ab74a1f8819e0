// Keeps the serialized detail of recently asked-for runs in memory. A live run page polls every
// second or so, and a run of thousands of units is a Query of thousands of items: without this,
// every open page would cost the store that much, every second.
import { SNAPSHOT_PATH, snapshotUnits } from '../../runner/artifacts/run-snapshot.ts';
import { type RunMeta, type UnitRecord } from '../../runner/core/model.ts';
import type { ResultStore } from '../../runner/store/result-store.ts';
import type { ArtifactReader } from '../artifacts/artifact-reader.ts';
import { EncodedJson } from './encoded-json.ts';
import { countStatuses } from '../../runner/core/statuses.ts';

interface Entry {
  /** When its units were read. */
  at: number;
  /** When it was last known to be current. */
  checked: number;
  body: EncodedJson;
  live: boolean;
  /** The run item as it was read: while it stays the same, a finished run's units do too. */
  item: string;
}

/**
 * A finished run is checked against its run item (one small read) once the live window has passed,
 * so a resume shows at once; its units are read again only when the item changed, or after this
 * long (a late result for a closed run does not touch the item).
 */
const FINISHED_MS = 30_000;

export interface RunCacheOptions {
  /** How long a running run's units may be served from memory (ms). */
  liveMs: number;
  /** Runs kept at once. */
  capacity?: number;
  /** Where finished runs' snapshots are (runner/artifacts/run-snapshot.ts). */
  artifacts?: ArtifactReader;
  now?: () => number;
}

export class RunCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry | undefined>>();
  private readonly now: () => number;

  constructor(
    private readonly store: ResultStore,
    private readonly options: RunCacheOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  async get(runId: string): Promise<Entry | undefined> {
    const hit = this.entries.get(runId);
    if (hit && this.now() - hit.checked < this.options.liveMs) return hit;
    // Many viewers polling one run at once share one read.
    let pending = this.loading.get(runId);
    if (!pending) {
      pending = this.load(runId, hit).finally(() => this.loading.delete(runId));
      this.loading.set(runId, pending);
    }
    return pending;
  }

  /**
   * Reads a run's units for a one-off look over many runs (the flaky list): from memory when the run is
   * there, else from its snapshot or the store — without keeping it, so the runs people are
   * watching stay in memory.
   */
  async unitsOnce(runId: string): Promise<UnitRecord[]> {
    const hit = this.entries.get(runId);
    if (hit) return (JSON.parse(hit.body.json) as { units: UnitRecord[] }).units;
    const run = await this.store.getRun(runId);
    if (!run) return [];
    return (await this.fromSnapshot(run)) ?? (await this.store.getUnits(runId));
  }

  /** Reads a run's units as the cache has them (from its snapshot when finished); [] for an unknown run. */
  async units(runId: string): Promise<UnitRecord[]> {
    const entry = await this.get(runId);
    return entry ? (JSON.parse(entry.body.json) as { units: UnitRecord[] }).units : [];
  }

  private async load(runId: string, hit: Entry | undefined): Promise<Entry | undefined> {
    const run = await this.store.getRun(runId);
    if (!run) {
      this.entries.delete(runId);
      return undefined;
    }
    const item = JSON.stringify(run);
    if (hit && !hit.live && hit.item === item && this.now() - hit.at < FINISHED_MS) {
      hit.checked = this.now();
      return hit;
    }
    const units = (await this.fromSnapshot(run)) ?? (await this.store.getUnits(runId));
    const live = run.status === 'running';
    // A running run's stored counts lag; its units do not.
    const detail: { run: RunMeta; units: UnitRecord[] } = {
      run: live ? { ...run, counts: countStatuses(units) } : run,
      units,
    };
    const entry = { at: this.now(), checked: this.now(), body: new EncodedJson(JSON.stringify(detail)), live, item };
    this.entries.delete(runId);
    this.entries.set(runId, entry);
    if (this.entries.size > (this.options.capacity ?? 20)) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** Reads a finished run's units from its snapshot; undefined (read the store) when there is none that fits. */
  private async fromSnapshot(run: RunMeta): Promise<UnitRecord[] | undefined> {
    const { artifacts } = this.options;
    if (!artifacts || run.status === 'running') return undefined;
    try {
      const artifact = await artifacts.get(run.runId, SNAPSHOT_PATH);
      return artifact && snapshotUnits(await new Response(artifact.body).text(), run);
    } catch {
      // An unreadable snapshot costs speed, never the answer.
      return undefined;
    }
  }
}
