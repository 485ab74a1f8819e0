// A unit's record across recent runs, in numbers: how often it failed, how often it was flaky,
// and how long it took. Pure; the API serves it next to the history.
import type { UnitRecord } from '../runner/model.ts';

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

const COUNTED = new Set(['passed', 'flaky', 'failed']);

export function unitStats(history: readonly Pick<UnitRecord, 'status' | 'durationMs'>[]): UnitStats {
  const counted = history.filter((unit) => COUNTED.has(unit.status));
  const count = (status: string) => counted.filter((unit) => unit.status === status).length;
  const durations = counted.map((unit) => unit.durationMs).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
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
