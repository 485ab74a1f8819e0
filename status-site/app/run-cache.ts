// Keeps the serialized detail of recently asked-for runs in memory. A live run page polls every
// second or so, and a run of thousands of units is a Query of thousands of items: without this,
// every open page would cost the store that much, every second.
import { LIVE_PATH, liveSnapshotUnits, SNAPSHOT_PATH, snapshotUnits } from '../../runner/artifacts/run-snapshot.ts';
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

/** How long after a live snapshot's answer the store read behind it begins. */
const BEHIND_MS = 50;

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
  /** Store reads under way behind a live snapshot shown first. */
  private readonly behind = new Map<string, Promise<Entry | undefined>>();
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
    // The store read behind a live snapshot is the next answer: waited for, not started again.
    const behind = await this.behind.get(runId);
    if (behind) return behind;
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
    if (!hit && run.status === 'running') {
      const shown = await this.fromLiveSnapshot(run, item);
      if (shown) return shown;
    }
    return this.keep(runId, run, item, (await this.fromSnapshot(run)) ?? (await this.store.getUnits(runId)));
  }

  /**
   * The first look at a running run nobody here has read yet: its orchestrator's live snapshot at
   * once, while the store is read behind it — the next poll gets that. A few seconds old at most;
   * the page never lets it replace a newer result it already shows (page/newer-units.ts).
   */
  private async fromLiveSnapshot(run: RunMeta, item: string): Promise<Entry | undefined> {
    const { artifacts } = this.options;
    if (!artifacts) return undefined;
    let units: UnitRecord[] | undefined;
    try {
      const artifact = await artifacts.get(run.runId, LIVE_PATH);
      units = artifact && liveSnapshotUnits(await new Response(artifact.body).text(), run, this.now());
    } catch {
      return undefined;
    }
    if (!units) return undefined;
    const entry = this.keep(run.runId, run, item, units);
    // Begun once this answer is on its way: the embedded store reads in this very process.
    const behind = new Promise((begin) => setTimeout(begin, BEHIND_MS))
      .then(() => this.store.getUnits(run.runId))
      .then((read) => this.keep(run.runId, run, item, read))
      .catch(() => undefined)
      .finally(() => this.behind.delete(run.runId));
    this.behind.set(run.runId, behind);
    return entry;
  }

  /** Keeps a run's detail as read now, the newest run last; the oldest beyond capacity goes. */
  private keep(runId: string, run: RunMeta, item: string, units: UnitRecord[]): Entry {
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
