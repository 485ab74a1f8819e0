// The smallest things uigate dispatches: Playwright's test groups, joined where a batch cannot
// hold one without the other, and the --test-list line that names one unit. Pure.
import type { ListedTest } from './listing.ts';
import type { UnitRef } from '../core/model.ts';
import { UsageError } from '../core/errors.ts';

/**
 * Whether --test-list can name this title: Playwright splits each line on `›` and trims every
 * part (runner/loadUtils.ts loadTestList), so a title with a `›` or outer spaces cannot be named.
 */
export const selectableTitle = (title: string) => title !== '' && !title.includes('›') && title === title.trim();

/**
 * One `--test-list` line selects a test in every repeat (`repeatEach`), so a test's repeats go
 * together; tests sharing a lock must never run at once, and batches on different executors do
 * run at once, so they go together too. Returns a piece id per test, in the order given.
 */
export function joinGroups(
  tests: readonly Pick<ListedTest, 'project' | 'file' | 'titlePath' | 'group' | 'locks'>[],
): string[] {
  const parent = tests.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const union = (a: number, b: number) => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
  };
  const first = new Map<string, number>();
  const join = (key: string, i: number) => {
    const seen = first.get(key);
    if (seen === undefined) first.set(key, i);
    else union(seen, i);
  };
  // A test no --test-list line can name is selected with its whole file (plan.ts testListLine), so its file goes as one piece.
  const wholeFiles = new Set(
    tests.filter((test) => !test.titlePath.every(selectableTitle)).map((test) => `${test.project}\u0000${test.file}`),
  );
  tests.forEach((test, i) => {
    if (wholeFiles.has(`${test.project}\u0000${test.file}`)) join(`file\u0000${test.project}\u0000${test.file}`, i);
    join(`group\u0000${test.group}`, i);
    join(`line\u0000${test.project}\u0000${test.file}\u0000${test.titlePath.join('\u0000')}`, i);
    for (const lock of test.locks ?? []) join(`lock\u0000${lock}`, i);
  });
  const names = new Map<number, string>();
  return tests.map((_, i) => {
    const root = find(i);
    if (!names.has(root)) names.set(root, `g${names.size + 1}`);
    return names.get(root)!;
  });
}

/**
 * The line of a --test-list file that selects exactly this unit in its project (in every repeat).
 * A title no line can name is selected with its whole file, which then travels as one piece.
 */
export function testListLine(unit: Pick<UnitRef, 'project' | 'file' | 'titlePath'>): string {
  if (unit.file.includes('›'))
    throw new UsageError(`${unit.file}: Playwright's --test-list cannot name a file with "›" in its path; rename it`);
  const titles = unit.titlePath.every(selectableTitle) ? unit.titlePath : [];
  return [`[${unit.project}]`, unit.file, ...titles].join(' › ');
}
