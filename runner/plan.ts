// Planning, pure: which units run, and how they are packed into batches so that the slowest
// batch is as short as possible.
import { UsageError } from './errors.ts';
import type { ExecutorName, UnitRef } from './model.ts';
import { closest } from './suggest.ts';

export interface Selection {
  modules?: string[];
  projects?: string[];
}

export interface Batch {
  id: string;
  executor: ExecutorName;
  units: UnitRef[];
  /** Sum of the units' expected durations. */
  estimatedMs: number;
}

function unknownName(kind: string, name: string, known: readonly string[], flag: string): UsageError {
  const guess = closest(name, known);
  const hint = guess ? ` — did you mean "${guess}"?` : '';
  return new UsageError(`unknown ${kind} "${name}"${hint} (${flag}); known: ${known.join(', ') || 'none'}`);
}

/**
 * Picks the units a run covers. `missingBrowsers` are projects the config would have had but whose
 * browser is not installed: asking for one of them is an error that says how to install it.
 */
export function selectUnits(units: readonly UnitRef[], selection: Selection, missingBrowsers: readonly { name: string; message: string }[] = []): UnitRef[] {
  const projects = [...new Set(units.map((unit) => unit.project))];
  const modules = [...new Set(units.map((unit) => unit.module))].sort();
  for (const project of selection.projects ?? []) {
    const missing = missingBrowsers.find((browser) => browser.name === project);
    if (missing) throw new UsageError(`project ${missing.message}`);
    if (!projects.includes(project)) throw unknownName('project', project, projects, '--project');
  }
  for (const module of selection.modules ?? []) {
    if (!modules.includes(module)) throw unknownName('module', module, modules, '--module');
  }
  const chosen = units.filter(
    (unit) =>
      (!selection.projects?.length || selection.projects.includes(unit.project)) &&
      (!selection.modules?.length || selection.modules.includes(unit.module)),
  );
  if (chosen.length === 0) throw new UsageError('no tests selected: check --module, --project and --grep, or add tests under testDir');
  return chosen;
}

export interface BatchOptions {
  executor: ExecutorName;
  /** Batches that can run at once. */
  slots: number;
  durationOf: (unit: UnitRef) => number;
  /** A batch should not be expected to run longer than this (Lambda's 15 minutes, say). */
  maxBatchMs?: number;
  /**
   * Do not make batches shorter than this to fill slots: each batch pays a start-up (a Lambda
   * invocation, a CodeBuild container), and width only helps when the work outweighs it.
   */
  minBatchMs?: number;
  /** Prefix of batch ids, unique within a run (for re-queued units, say). */
  idPrefix?: string;
}

/**
 * Longest-processing-time-first: units sorted longest first, each into the batch that would end
 * soonest. It gives a makespan within 4/3 of the optimum and, with many more units than slots,
 * close to total ÷ slots. Inside a batch, units are ordered by project and file so that each
 * Playwright worker launches each browser once.
 */
export function planBatches(units: readonly UnitRef[], options: BatchOptions): Batch[] {
  if (units.length === 0) return [];
  const durations = new Map(units.map((unit) => [unit.key, Math.max(1, options.durationOf(unit))]));
  const total = [...durations.values()].reduce((sum, ms) => sum + ms, 0);
  const bySize = Math.ceil(total / (options.maxBatchMs ?? Infinity));
  const worthIt = options.minBatchMs ? Math.max(1, Math.floor(total / options.minBatchMs)) : Infinity;
  const count = Math.min(units.length, Math.max(1, Math.min(options.slots, worthIt), bySize));
  const bins = Array.from({ length: count }, () => ({ units: [] as UnitRef[], ms: 0 }));
  const sorted = [...units].sort((a, b) => durations.get(b.key)! - durations.get(a.key)! || a.key.localeCompare(b.key));
  for (const unit of sorted) {
    let best = bins[0]!;
    for (const bin of bins) if (bin.ms < best.ms) best = bin;
    best.units.push(unit);
    best.ms += durations.get(unit.key)!;
  }
  const prefix = options.idPrefix ?? `${options.executor}-`;
  return bins
    .filter((bin) => bin.units.length > 0)
    .sort((a, b) => b.ms - a.ms)
    .map((bin, i) => ({
      id: `${prefix}${String(i + 1).padStart(3, '0')}`,
      executor: options.executor,
      estimatedMs: bin.ms,
      units: bin.units.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.line - b.line),
    }));
}

/**
 * Gives each unit to the first executor, in the order asked for, that can run its project
 * (`--executor lambda --executor local`: chromium to Lambda, the rest here).
 */
export function assignExecutors<E extends { name: ExecutorName; supports(project: string): boolean }>(units: readonly UnitRef[], executors: readonly E[]): Map<E, UnitRef[]> {
  const assigned = new Map<E, UnitRef[]>(executors.map((executor) => [executor, []]));
  for (const unit of units) {
    const executor = executors.find((candidate) => candidate.supports(unit.project));
    if (!executor) {
      const names = executors.map((e) => e.name).join(', ');
      throw new UsageError(`project ${unit.project} cannot run on ${names}; add --executor local, or pick other projects with --project`);
    }
    assigned.get(executor)!.push(unit);
  }
  for (const [executor, list] of assigned) if (list.length === 0) assigned.delete(executor);
  return assigned;
}

/** The line of a --test-list file that selects exactly this unit in its project. */
export function testListLine(unit: UnitRef): string {
  return [`[${unit.project}]`, unit.file, ...unit.titlePath].join(' › ');
}

/** Expected duration per unit from earlier runs: the median of what was recorded, else a default. */
export function durationEstimator(history: ReadonlyMap<string, readonly number[]>, defaultMs: number) {
  return (unit: UnitRef) => {
    const seen = [...(history.get(unit.key) ?? [])].sort((a, b) => a - b);
    if (seen.length === 0) return defaultMs;
    return seen[Math.floor(seen.length / 2)]!;
  };
}
