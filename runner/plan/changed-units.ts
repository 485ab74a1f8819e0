// The tests a change needs (`uigate run --changed`): those of the components it touched (their
// grep, their modules), the tests that always run, and the test files it changed itself. Pure;
// which components a change touched is affected.ts's, what git says config/git-changes.ts's.
import picomatch from 'picomatch';
import type { ComponentTests, Components } from '../config/components.ts';
import type { UnitRef } from '../core/model.ts';

export interface ChangeSelection {
  /** The touched components, as affected.ts found them. */
  components: readonly string[];
  /** The changed files, absolute. */
  files: readonly string[];
  always?: ComponentTests;
}

/**
 * What a --grep is matched against, as Playwright matches it: the project, the file, the
 * describe titles, the test's title and its tags, space-separated.
 */
const grepText = (unit: UnitRef) => [unit.project, unit.file, ...unit.titlePath, ...(unit.tags ?? [])].join(' ');

function covers(tests: ComponentTests, unit: UnitRef): boolean {
  if (tests.grep !== undefined && new RegExp(tests.grep).test(grepText(unit))) return true;
  return (tests.modules ?? []).some((module) => picomatch.isMatch(unit.module, module));
}

/** The units a change needs, of `units`; `testRoot` is where unit files are relative to (Playwright's rootDir). */
export function unitsForChange(
  units: readonly UnitRef[],
  change: ChangeSelection,
  components: Components,
  testRoot: string,
): UnitRef[] {
  const changed = new Set(change.files);
  const tests = [
    ...change.components.map((name) => components[name]!.tests),
    ...(change.always ? [change.always] : []),
  ];
  return units.filter(
    (unit) =>
      unit.role !== 'dependency' &&
      (changed.has(`${testRoot}/${unit.file}`) || tests.some((covering) => covers(covering, unit))),
  );
}
