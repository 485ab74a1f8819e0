// Playwright's `--max-failures N` (and `-x`, N = 1) over the whole run: once N units have failed
// for good — failed after all their retries, as Playwright counts them — no batch starts and the
// batches under way are stopped. A unit that had begun ends `cancelled` (Playwright: interrupted),
// one that never began `skipped` (Playwright: did not run).
import type { UnitRecord } from '../core/model.ts';
import { isFinal } from '../core/statuses.ts';

/** How a run that reached its failure limit ends its open units. */
export interface StoppedEarly {
  /** Said on the run and on each unit left open. */
  reason: string;
  /** Units that had begun when the run stopped. */
  interrupted: ReadonlySet<string>;
}

export class FailureLimit {
  /** Aborts when the limit is reached, or when the run is cancelled. */
  readonly signal: AbortSignal;
  private readonly stop = new AbortController();
  private readonly failed = new Set<string>();
  private readonly begun = new Set<string>();
  private reached = false;

  constructor(
    private readonly max: number | undefined,
    cancel: AbortSignal,
  ) {
    this.signal = max ? AbortSignal.any([cancel, this.stop.signal]) : cancel;
  }

  /** Counts a unit's news: a final failure towards the limit, a start towards what was interrupted. */
  seen(record: UnitRecord): void {
    if (!this.max || this.reached) return;
    if (isFinal(record.status)) this.begun.delete(record.key);
    else if (record.status === 'running' || record.status === 'retrying') this.begun.add(record.key);
    if (record.status === 'failed') this.failed.add(record.key);
    if (this.failed.size >= this.max) {
      this.reached = true;
      this.stop.abort();
    }
  }

  /** Why the run stopped early, and what was under way; undefined unless the limit was reached. */
  stoppedEarly(): StoppedEarly | undefined {
    if (!this.reached) return undefined;
    const failures = `${this.max} failure${this.max === 1 ? '' : 's'}`;
    return {
      reason: `stopped after ${failures} (--max-failures ${this.max}), as Playwright does: the rest did not run`,
      interrupted: new Set(this.begun),
    };
  }
}
