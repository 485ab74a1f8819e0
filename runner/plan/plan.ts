// Planning, pure: which units run, the pieces they travel in, and which executor takes each
// piece (how pieces become batches is queue.ts's).
import { UsageError } from '../core/errors.ts';
import type { ExecutorName, UnitRef } from '../core/model.ts';
import { missingBrowsersError } from '../playwright/list.ts';
import { matchesProjectFilter, projectClosure, type ListedProject } from '../playwright/listing.ts';
import { closest } from '../core/suggest.ts';

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

export interface SelectionContext {
  /** The config's projects and what they depend on; without them every project stands alone. */
  projects?: readonly Pick<ListedProject, 'name' | 'dependencies' | 'teardown'>[];
  /** Projects the browser helper left out because their browser is missing: asking for one says how to install it. */
  dropped?: readonly { name: string; message: string }[];
  /** Projects whose browser Playwright would not find: running one is refused, with how to install it. */
  missing?: readonly { project: string; message: string }[];
  /** Keys of tests a `.only` elsewhere leaves out (Playwright runs only focused tests). */
  unfocused?: ReadonlySet<string>;
}

/**
 * Picks the units a run covers, as Playwright would for the same filters: the asked-for projects'
 * tests, narrowed by module and `.only`; then every test of the projects those depend on (setup,
 * teardown) as `dependency` units, which run wherever their dependents run and never on their own.
 */
export function selectUnits(
  units: readonly UnitRef[],
  selection: Selection,
  context: SelectionContext = {},
): UnitRef[] {
  const projects = [...new Set(units.map((unit) => unit.project))];
  const modules = [...new Set(units.map((unit) => unit.module))].sort();
  for (const project of selection.projects ?? []) {
    const dropped = context.dropped?.find((browser) => browser.name === project);
    if (dropped) throw new UsageError(`project ${dropped.message}`);
    if (!projects.some((name) => matchesProjectFilter(name, [project])))
      throw unknownName('project', project, projects, '--project');
  }
  for (const module of selection.modules ?? []) {
    if (!modules.includes(module)) throw unknownName('module', module, modules, '--module');
  }
  const known = context.projects ?? projects.map((name) => ({ name, dependencies: [], teardown: undefined }));
  const asked = known
    .filter((project) => matchesProjectFilter(project.name, selection.projects ?? []))
    .map((project) => project.name);
  const roles = projectClosure(known, asked);
  const chosen = units.filter(
    (unit) =>
      roles.get(unit.project) === 'top-level' &&
      !context.unfocused?.has(unit.key) &&
      (!selection.modules?.length || selection.modules.includes(unit.module)),
  );
  if (chosen.length === 0)
    throw new UsageError('no tests selected: check --module, --project and --grep, or add tests under testDir');
  const selected = withDependencies(chosen, units, known);
  const topLevel = new Set(selected.filter((unit) => unit.role !== 'dependency').map((unit) => unit.project));
  const missing = context.missing?.filter((entry) => topLevel.has(entry.project)) ?? [];
  if (missing.length) throw missingBrowsersError(missing);
  return selected;
}

/**
 * `chosen` (tests to run) with the units of the projects they depend on, as Playwright does after
 * filtering: only the dependencies of projects that still have tests, each marked `dependency`.
 */
export function withDependencies(
  chosen: readonly UnitRef[],
  all: readonly UnitRef[],
  projects: readonly Pick<ListedProject, 'name' | 'dependencies' | 'teardown'>[],
): UnitRef[] {
  const ownTests = chosen.filter((unit) => unit.role !== 'dependency');
  const needed = projectClosure(projects, [...new Set(ownTests.map((unit) => unit.project))]);
  const dependencies = all
    .filter((unit) => needed.get(unit.project) === 'dependency')
    .map((unit): UnitRef => ({ ...unit, role: 'dependency' }));
  return [...dependencies, ...ownTests.filter((unit) => needed.get(unit.project) === 'top-level')];
}

/** Groups the units that must share a batch: one piece per Playwright group (pieces.ts); a unit without one stands alone. */
export function piecesOf(units: readonly UnitRef[]): UnitRef[][] {
  const pieces = new Map<string, UnitRef[]>();
  for (const unit of units) {
    const id = unit.group ?? `unit:${unit.key}`;
    const piece = pieces.get(id);
    if (piece) piece.push(unit);
    else pieces.set(id, [unit]);
  }
  return [...pieces.values()];
}

/**
 * Gives each piece to the first executor, in the order asked for, that can run the browsers of
 * all its projects (`--executor lambda --executor local`: chromium to Lambda, the rest here).
 * Dependency units go nowhere: they run inside their dependents' batches.
 */
export function assignExecutors<E extends { name: ExecutorName; supports(browser: string): boolean }>(
  units: readonly UnitRef[],
  executors: readonly E[],
  browserOf: (project: string) => string = (project) => project,
): Map<E, UnitRef[]> {
  const assigned = new Map<E, UnitRef[]>(executors.map((executor) => [executor, []]));
  for (const piece of piecesOf(units.filter((unit) => unit.role !== 'dependency'))) {
    const browsers = [...new Set(piece.map((unit) => browserOf(unit.project)))];
    const executor = executors.find((candidate) => browsers.every((browser) => candidate.supports(browser)));
    if (!executor) {
      const names = executors.map((e) => e.name).join(', ');
      const projects = [...new Set(piece.map((unit) => unit.project))].join(', ');
      throw new UsageError(
        `project ${projects} cannot run on ${names}; add --executor local, or pick other projects with --project`,
      );
    }
    assigned.get(executor)!.push(...piece);
  }
  for (const [executor, list] of assigned) if (list.length === 0) assigned.delete(executor);
  return assigned;
}
