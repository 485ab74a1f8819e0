// What every part of a run works with, made once by the session (session.ts) and passed down as
// it is — as Playwright hands its TestRun to each task — instead of copied field by field.
import type { ExecutorFlags } from '../executors/from-config.ts';
import type { WarmPool } from '../playwright/warm-start.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { StoreAccess } from '../store/store-address.ts';
import type { PreparedRun } from './prepare.ts';

export interface RunContext {
  runId: string;
  /** The config, Playwright's listing, the executors asked for and the commit under test. */
  prepared: PreparedRun;
  /** The flags that shape where and how batches run. */
  flags: ExecutorFlags;
  store: ResultStore;
  /** How executors reach the store (the embedded server's endpoint and key when that is the store). */
  storeAccess: StoreAccess;
  /** The project's folder. */
  cwd: string;
  /** This run's scratch folder, removed when it ends. */
  workDir: string;
  /** Cancels the run (Ctrl-C, the end of a bake). */
  signal: AbortSignal;
  /** Warm Playwright processes for local batches and merge-reports (playwright/warm-start.ts). */
  warm?: WarmPool;
}
