// Which units run again: `uigate run --rerun-failed [runId]` takes those that did not pass in an
// earlier run (by default the latest finished one), as Playwright's --last-failed but across every
// browser and executor and from the store; `--resume` takes those a dead orchestrator left without
// a result. Either way whole pieces, with the setup projects they need.
import { parseRunId, type RunMeta, type UnitRecord, type UnitRef } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { UsageError } from '../core/errors.ts';
import type { ListedProject } from '../playwright/listing.ts';
import { withDependencies } from './plan.ts';
import { isFinal, isGood } from '../core/statuses.ts';

export interface Rerun {
  /** The run whose failures these are. */
  runId: string;
  units: UnitRef[];
  /** Lines worth telling: failures that are no longer in the suite, or outside this selection. */
  notices: string[];
}

/**
 * `ref` is a run id, or true for the latest finished run; `listed` is what this run would otherwise
 * run. A failed unit brings its whole piece (a serial group's earlier steps set up the later ones)
 * and the setup projects it depends on.
 */
export async function unitsToRerun(
  store: ResultStore,
  ref: string | true,
  listed: readonly UnitRef[],
  projects: readonly Pick<ListedProject, 'name' | 'dependencies' | 'teardown'>[] = [],
): Promise<Rerun> {
  const run = ref === true ? await latestFinishedRun(store) : await namedRun(store, ref);
  const failed = (await store.getUnits(run.runId)).filter((unit) => !isGood(unit.status) && unit.role !== 'dependency');
  if (failed.length === 0)
    throw new UsageError(`run ${run.runId} (${run.status}) has no failed units: nothing to re-run (--rerun-failed)`);
  const wanted = new Set(failed.map((unit) => unit.key));
  const found = listed.filter((unit) => wanted.has(unit.key) && unit.role !== 'dependency');
  const pieces = new Set(found.map((unit) => unit.group ?? unit.key));
  const units = withDependencies(
    listed.filter((unit) => unit.role !== 'dependency' && pieces.has(unit.group ?? unit.key)),
    listed,
    projects,
  );
  const missing = failed.length - found.length;
  if (found.length === 0) {
    throw new UsageError(
      `none of the ${failed.length} unit(s) that did not pass in run ${run.runId} is in this selection or still in the suite (--rerun-failed)`,
    );
  }
  const notices = missing
    ? [
        `${missing} of the ${failed.length} unit(s) that did not pass in run ${run.runId} are renamed, removed or outside this selection; re-running the other ${found.length}`,
      ]
    : [];
  return { runId: run.runId, units, notices };
}

async function namedRun(store: ResultStore, runId: string): Promise<RunMeta> {
  parseRunId(runId, '--rerun-failed');
  const run = await store.getRun(runId);
  if (!run) throw new UsageError(`no run ${runId} in the store (--rerun-failed); \`uigate serve\` lists the runs`);
  return run;
}

async function latestFinishedRun(store: ResultStore): Promise<RunMeta> {
  let cursor: string | undefined;
  // Newest first; a run still going (another terminal, a pipeline) is not the one just finished.
  for (let page = 0; page < 4; page++) {
    const { items, cursor: next } = await store.listRuns({ limit: 25, cursor });
    const found = items.find((run) => run.status !== 'running');
    if (found) return found;
    if (!next) break;
    cursor = next;
  }
  throw new UsageError(
    'no finished run in the store to re-run the failures of (--rerun-failed): run the suite first, or name a run',
  );
}

/**
 * What a resumed run still has to run: every piece with a unit that has no final result — the
 * whole piece, since a serial group's later steps need its earlier ones — and their setup projects.
 */
export function openPieces(
  all: readonly UnitRecord[],
  projects: readonly Pick<ListedProject, 'name' | 'dependencies' | 'teardown'>[],
): UnitRef[] {
  const refs = all.map(unitRefOf);
  const open = new Set(
    all.filter((unit) => !isFinal(unit.status) && unit.role !== 'dependency').map((unit) => unit.group ?? unit.key),
  );
  if (open.size === 0) return [];
  return withDependencies(
    refs.filter((unit) => unit.role !== 'dependency' && open.has(unit.group ?? unit.key)),
    refs,
    projects,
  );
}

/** Turns a stored unit back into a planned one: what it is, not how it went. */
function unitRefOf({
  key,
  file,
  line,
  column,
  titlePath,
  project,
  module,
  tags,
  repeat,
  group,
  role,
}: UnitRecord): UnitRef {
  return {
    key,
    file,
    line,
    column,
    titlePath,
    project,
    module,
    ...(tags ? { tags } : {}),
    ...(repeat ? { repeat } : {}),
    ...(group ? { group } : {}),
    ...(role ? { role } : {}),
  };
}
