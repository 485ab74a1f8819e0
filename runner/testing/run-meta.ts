// A run item as tests create it: one chromium module, started now.
import type { RunMeta } from '../core/model.ts';

export const runMeta = (runId: string, extra: Partial<RunMeta> = {}): RunMeta => ({
  runId,
  status: 'running',
  trigger: 'test',
  projects: ['chromium'],
  modules: ['a'],
  executors: ['local'],
  total: 1,
  counts: {},
  startedAt: new Date().toISOString(),
  ...extra,
});
