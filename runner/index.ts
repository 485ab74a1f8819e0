// The public library surface: what a project's uigate.config.ts and other tools import.
export { defineConfig, type UigateConfig } from './config/config.ts';
export type { Executor, BatchContext, UnitOutcome } from './executors/executor.ts';
export type { ResultStore } from './store/result-store.ts';
export type { RunMeta, UnitRecord, UnitRef, UnitStatus, RunStatus, RunEvent } from './core/model.ts';
