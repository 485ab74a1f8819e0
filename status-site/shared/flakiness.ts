// A unit's record across recent runs, in numbers: how often it failed, how often it was flaky,
// and how long it took. Pure; the API serves it next to the history.
import type { UnitRecord } from '../../runner/core/model.ts';
import { isMeasured } from '../../runner/core/statuses.ts';

export interface UnitStats {
  /** Finished runs counted (queued, running and cancelled ones are not evidence). */
  runs: number;
  passed: number;
  flaky: number;
  failed: number;
  /** flaky ÷ runs, 0..1 */
  flakyRate: number;
  /** failed ÷ runs, 0..1 */
  failureRate: number;
  medianMs?: number;
}

export function unitStats(history: readonly Pick<UnitRecord, 'status' | 'durationMs'>[]): UnitStats {
  const counted = history.filter((unit) => isMeasured(unit.status));
  const count = (status: string) => counted.filter((unit) => unit.status === status).length;
  const durations = counted
    .map((unit) => unit.durationMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const runs = counted.length;
  return {
    runs,
    passed: count('passed'),
    flaky: count('flaky'),
    failed: count('failed'),
    flakyRate: runs ? count('flaky') / runs : 0,
    failureRate: runs ? count('failed') / runs : 0,
    medianMs: durations.length ? durations[Math.floor(durations.length / 2)] : undefined,
  };
}

export interface FlakyUnit {
  key: string;
  titlePath: string[];
  project: string;
  module: string;
  /** Finished runs of the window that ran it (passed, flaky or failed). */
  runs: number;
  flaky: number;
  failed: number;
  /** The newest run in which it was flaky or failed, to open it there. */
  lastBad: { runId: string; status: 'flaky' | 'failed' };
}

/**
 * Ranks the units that went wrong most often over a window of runs (newest first): flaky or failed in
 * at least one. Failures first, by how often (a failure may be a real regression, a flaky pass only
 * noise that hides the next one), then flaky passes by how often. Pure; the API reads the runs.
 */
export function flakiestUnits(
  runs: readonly { runId: string; units: readonly UnitRecord[] }[],
  limit = 15,
): FlakyUnit[] {
  const byKey = new Map<string, FlakyUnit>();
  for (const { runId, units } of runs) {
    for (const unit of units) {
      if (!isMeasured(unit.status)) continue;
      let entry = byKey.get(unit.key);
      if (!entry) {
        entry = {
          key: unit.key,
          titlePath: unit.titlePath,
          project: unit.project,
          module: unit.module,
          runs: 0,
          flaky: 0,
          failed: 0,
          lastBad: { runId: '', status: 'flaky' },
        };
        byKey.set(unit.key, entry);
      }
      entry.runs++;
      if (unit.status === 'passed') continue;
      if (unit.status === 'flaky') entry.flaky++;
      else entry.failed++;
      // Runs come newest first: the first bad one seen is the newest.
      if (!entry.lastBad.runId) entry.lastBad = { runId, status: unit.status as 'flaky' | 'failed' };
    }
  }
  const failing = (unit: FlakyUnit) => unit.failed / unit.runs;
  const flaky = (unit: FlakyUnit) => unit.flaky / unit.runs;
  return [...byKey.values()]
    .filter((unit) => unit.flaky + unit.failed > 0)
    .sort((a, b) => failing(b) - failing(a) || flaky(b) - flaky(a) || b.runs - a.runs || a.key.localeCompare(b.key))
    .slice(0, limit);
}

/** What GET /api/flaky answers. */
export interface FlakyAnswer {
  branch: string | null;
  runs: string[];
  units: FlakyUnit[];
}
