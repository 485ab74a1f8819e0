// How long each unit is expected to take, and how sure that is — for sizing the queue's pieces.
// Pure. From a unit's own recorded durations (newest weighted most), else from what is known
// about its neighbours: the same test in the other projects, scaled by how the projects' speeds
// compare on the tests recorded in both (browsers differ by 2–4× on the same tests: the ratio is
// learned from the runs recorded, not assumed); the same file in the same project; the same
// project; the whole suite; with nothing recorded at all (a first run), from the listing: the
// configured default, scaled by how long the test's body is against the suite's.
import type { UnitRef } from '../core/model.ts';

/** What an estimate rests on, from most to least sure. */
export type EstimateBasis = 'history' | 'sibling' | 'file' | 'project' | 'suite' | 'listing' | 'default';

export interface Estimate {
  ms: number;
  /** Expected relative error (0 exact, 1 as likely double or half): how much the queue holds back. */
  uncertainty: number;
  basis: EstimateBasis;
}

/** A unit's recorded durations, newest first. */
export type DurationHistory = ReadonlyMap<string, readonly number[]>;

/**
 * Each older run counts this much less than the next newer one: the newest two outweigh the
 * three before them, so a test that got slower is estimated slower after one or two runs, while
 * one odd run (a retry, a slow machine) does not move the median on its own.
 */
export const RECENCY = 0.7;

const UNCERTAINTY: Record<Exclude<EstimateBasis, 'history'>, number> = {
  sibling: 0.4,
  file: 0.5,
  project: 0.7,
  suite: 1,
  listing: 1.2,
  default: 1.5,
};

/** Takes the median of samples with weights: the smallest value holding at least half the weight. */
export function weightedMedian(samples: readonly { value: number; weight: number }[]): number {
  const sorted = [...samples].sort((a, b) => a.value - b.value);
  const half = sorted.reduce((sum, sample) => sum + sample.weight, 0) / 2;
  let seen = 0;
  for (const sample of sorted) {
    seen += sample.weight;
    if (seen >= half) return sample.value;
  }
  return sorted.at(-1)?.value ?? 0;
}

/** Estimates a unit from its own recorded durations (newest first); undefined without any. */
export function fromHistory(durations: readonly number[] | undefined): Estimate | undefined {
  if (!durations?.length) return undefined;
  const ms = weightedMedian(durations.map((value, i) => ({ value, weight: RECENCY ** i })));
  // The spread of what was recorded; one sample says little about the next.
  const mean = durations.reduce((sum, value) => sum + value, 0) / durations.length;
  const spread =
    durations.length > 1
      ? Math.sqrt(durations.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (durations.length - 1)) / mean
      : 0.3;
  return { ms: Math.max(1, ms), uncertainty: Math.min(1, spread), basis: 'history' };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Estimates for every unit of a plan: its own history, else its neighbours', else the default. */
export function estimateUnits(
  units: readonly UnitRef[],
  history: DurationHistory,
  defaultMs: number,
): Map<string, Estimate> {
  const known = new Map<string, Estimate>();
  for (const unit of units) {
    const own = fromHistory(history.get(unit.key));
    if (own) known.set(unit.key, own);
  }
  const groups = { file: new Map<string, number[]>(), project: new Map<string, number[]>(), suite: [] as number[] };
  for (const unit of units) {
    const ms = known.get(unit.key)?.ms;
    if (ms === undefined) continue;
    const file = `${unit.project}\0${unit.file}`;
    if (!groups.file.has(file)) groups.file.set(file, []);
    if (!groups.project.has(unit.project)) groups.project.set(unit.project, []);
    groups.file.get(file)!.push(ms);
    groups.project.get(unit.project)!.push(ms);
    groups.suite.push(ms);
  }
  // Each group's median once, however many units ask for it.
  const medians = new Map<Map<string, number[]>, Map<string, number>>();
  const medianOf = (group: Map<string, number[]>, key: string): number | undefined => {
    const values = group.get(key);
    if (!values) return undefined;
    const cached = medians.get(group) ?? new Map<string, number>();
    medians.set(group, cached);
    if (!cached.has(key)) cached.set(key, median(values));
    return cached.get(key);
  };
  const suite = groups.suite.length ? median(groups.suite) : undefined;
  const listed = suite === undefined ? bodyLengths(units) : undefined;
  const twins = siblings(units, known);
  const estimates = new Map<string, Estimate>();
  for (const unit of units) {
    const own = known.get(unit.key);
    if (own) {
      estimates.set(unit.key, own);
      continue;
    }
    const twin = twins.estimate(unit);
    const file = medianOf(groups.file, `${unit.project}\0${unit.file}`);
    const project = medianOf(groups.project, unit.project);
    const [basis, ms]: [EstimateBasis, number] =
      twin !== undefined
        ? ['sibling', twin]
        : file !== undefined
          ? ['file', file]
          : project !== undefined
            ? ['project', project]
            : suite !== undefined
              ? ['suite', suite]
              : listed
                ? ['listing', defaultMs * listed.relative(unit)]
                : ['default', defaultMs];
    estimates.set(unit.key, { ms, uncertainty: UNCERTAINTY[basis], basis });
  }
  return estimates;
}

/**
 * The same test in the other projects (same file, same title path): a test new to one project —
 * a browser just added, a test that only ever ran in another — is estimated from its recorded
 * twins, each scaled by how much slower or faster this project runs the tests recorded in both
 * (the median ratio over those tests). Projects never recorded together compare as equal.
 */
function siblings(units: readonly UnitRef[], known: ReadonlyMap<string, Estimate>) {
  const testOf = (unit: UnitRef) => `${unit.file}\0${unit.titlePath.join('\0')}`;
  const byTest = new Map<string, Map<string, number>>();
  for (const unit of units) {
    const ms = known.get(unit.key)?.ms;
    if (ms === undefined) continue;
    const test = testOf(unit);
    if (!byTest.has(test)) byTest.set(test, new Map());
    byTest.get(test)!.set(unit.project, ms);
  }
  // log(ms in P ÷ ms in Q) over the tests recorded in both, for each pair of projects.
  const logs = new Map<string, number[]>();
  for (const projects of byTest.values())
    for (const [p, pMs] of projects)
      for (const [q, qMs] of projects) {
        if (p === q) continue;
        const pair = `${p}\0${q}`;
        if (!logs.has(pair)) logs.set(pair, []);
        logs.get(pair)!.push(Math.log(pMs / qMs));
      }
  const ratios = new Map([...logs].map(([pair, values]) => [pair, Math.exp(median(values))]));
  return {
    estimate(unit: UnitRef): number | undefined {
      const twins = byTest.get(testOf(unit));
      if (!twins) return undefined;
      const scaled = [...twins]
        .filter(([project]) => project !== unit.project)
        .map(([project, ms]) => ms * (ratios.get(`${unit.project}\0${project}`) ?? 1));
      return scaled.length ? median(scaled) : undefined;
    },
  };
}

/** How far a body may be from the suite's typical one before it stops saying more: 4× either way. */
const BODY_RANGE = 4;

/**
 * Each test's body length, from the listing alone: the lines from its declaration to the next
 * test's in the same file (the file's typical one for its last test). A test that does more is
 * longer to write and to run — a weak hint, but the only one a first run has; measured against
 * what units took in bench/scale.ts. Undefined when the lines say nothing (all alike).
 */
function bodyLengths(units: readonly UnitRef[]): { relative(unit: UnitRef): number } | undefined {
  const lines = new Map<string, number[]>();
  for (const unit of units) {
    const list = lines.get(unit.file) ?? [];
    list.push(unit.line);
    lines.set(unit.file, list);
  }
  const spans = new Map<string, Map<number, number>>();
  const all: number[] = [];
  for (const [file, list] of lines) {
    const sorted = [...new Set(list)].sort((a, b) => a - b);
    const bySpan = new Map<number, number>();
    for (let i = 0; i + 1 < sorted.length; i++) bySpan.set(sorted[i]!, sorted[i + 1]! - sorted[i]!);
    if (bySpan.size) all.push(...bySpan.values());
    spans.set(file, bySpan);
  }
  if (all.length < 2) return undefined;
  const typical = median(all);
  if (!(typical > 0) || all.every((span) => span === typical)) return undefined;
  const fileTypical = new Map(
    [...spans].map(([file, bySpan]) => [file, bySpan.size ? median([...bySpan.values()]) : typical]),
  );
  return {
    relative: (unit) => {
      const span = spans.get(unit.file)?.get(unit.line) ?? fileTypical.get(unit.file) ?? typical;
      return Math.min(BODY_RANGE, Math.max(1 / BODY_RANGE, span / typical));
    },
  };
}
