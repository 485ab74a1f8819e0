// Keeps the serialized detail of recently asked-for runs in memory. A live run page polls every
// second or so, and a run of thousands of units is a Query of thousands of items: without this,
// every open page would cost the store that much, every second.
import { countStatuses, type RunMeta, type UnitRecord } from '../runner/model.ts';
import type { ResultStore } from '../runner/store/result-store.ts';

interface Entry {
  at: number;
  json: string;
  live: boolean;
}

/** Finished runs can still change (events, a resume), so even they are re-read now and then. */
const FINISHED_MS = 30_000;

export class RunCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry | undefined>>();

  constructor(
    private readonly store: ResultStore,
    private readonly liveMs: number,
    private readonly capacity = 20,
    private readonly now = () => Date.now(),
  ) {}

  async get(runId: string): Promise<Entry | undefined> {
    const hit = this.entries.get(runId);
    if (hit && this.now() - hit.at < (hit.live ? this.liveMs : FINISHED_MS)) return hit;
    // Many viewers polling one run at once share one read.
    let pending = this.loading.get(runId);
    if (!pending) {
      pending = this.load(runId).finally(() => this.loading.delete(runId));
      this.loading.set(runId, pending);
    }
    return pending;
  }

  private async load(runId: string): Promise<Entry | undefined> {
    const run = await this.store.getRun(runId);
    if (!run) return undefined;
    const units = await this.store.getUnits(runId);
    const live = run.status === 'running';
    // A running run's stored counts lag; its units do not.
    const detail: { run: RunMeta; units: UnitRecord[] } = { run: live ? { ...run, counts: countStatuses(units) } : run, units };
    const entry = { at: this.now(), json: JSON.stringify(detail), live };
    this.entries.delete(runId);
    this.entries.set(runId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
