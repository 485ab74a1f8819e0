// `uigate run --changed [base]`: the run narrowed to what a mono-repo change needs — the tests of
// the components it touched, the tests that always run and the test files it changed — or the
// whole suite, said why, when the change means it (a global file, an unmapped one, a base this
// clone lacks). A narrowed run is marked so; the gate keeps it out of production.
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/config.ts';
import { changedFiles } from '../config/git-changes.ts';
import { UsageError } from '../core/errors.ts';
import type { UnitRef } from '../core/model.ts';
import type { Listing } from '../playwright/listing.ts';
import { affectedBy } from '../plan/affected.ts';
import { unitsForChange } from '../plan/changed-units.ts';
import { withDependencies } from '../plan/plan.ts';
import type { ResultStore } from '../store/result-store.ts';
import { changeSinceVerified } from './change-bases.ts';

export interface ChangeNarrowing {
  units: UnitRef[];
  /** What a person is told before the run starts. */
  notice: string;
  /** The merge base the run was narrowed from; absent when the whole suite runs. */
  since?: string;
  /** The components whose tests it runs; absent when the whole suite runs. */
  components?: string[];
}

/** Where the run's branch was verified before: the store's runs, for `--changed` with no base. */
export interface ChangeHistory {
  store?: Pick<ResultStore, 'listRuns'>;
  branch?: string;
}

export async function narrowToChange(
  changed: string | true,
  cwd: string,
  config: ResolvedConfig,
  units: UnitRef[],
  listing: Pick<Listing, 'rootDir' | 'projects'>,
  history: ChangeHistory = {},
): Promise<ChangeNarrowing> {
  if (Object.keys(config.components).length === 0)
    throw new UsageError(
      '--changed needs components in uigate.config.ts: components: { web: { paths: ["apps/web/**"], tests: { grep: "@web" } } }',
    );
  const change = changed === true ? await sinceVerified(cwd, config, history) : await sinceBase(cwd, config, changed);
  if (!change.ok) return { units, notice: `--changed${change.label}: ${change.reason}` };
  const chosen = unitsForChange(
    units,
    {
      components: change.components,
      files: change.files.map((file) => join(change.root, file)),
      always: config.changes.always,
    },
    config.components,
    listing.rootDir,
  );
  if (chosen.length === 0)
    throw new UsageError(
      `--changed${change.label}: ${change.reason}, and no test covers it: nothing to run (add changes.always, or the component's tests)`,
    );
  const tests = units.filter((unit) => unit.role !== 'dependency').length;
  return {
    units: withDependencies(chosen, units, listing.projects),
    notice: `--changed${change.label}: ${change.reason}: ${chosen.length} of ${tests} tests`,
    since: change.since,
    components: change.components,
  };
}

type Narrowed =
  | { ok: true; label: string; reason: string; components: string[]; files: string[]; root: string; since: string }
  | { ok: false; label: string; reason: string };

/** One base for every component: the one given. */
async function sinceBase(cwd: string, config: ResolvedConfig, base: string): Promise<Narrowed> {
  const label = ` since ${base}`;
  const files = await changedFiles(cwd, base);
  if (!files.ok) return { ok: false, label: '', reason: `${files.reason}: whole suite` };
  const affected = affectedBy(files.files, config.components, config.changes);
  if (affected.wholeSuite) return { ok: false, label, reason: affected.reason };
  return { ok: true, label, ...affected, files: files.files, root: files.root, since: files.base };
}

/** Each component since it was last verified on the branch (run/change-bases.ts). */
async function sinceVerified(cwd: string, config: ResolvedConfig, history: ChangeHistory): Promise<Narrowed> {
  const change = await changeSinceVerified(cwd, config, history.store, history.branch);
  if (!change.ok) return { ok: false, label: '', reason: `${change.reason}: whole suite` };
  return { ...change, label: ` (${change.bases.join('; ')})` };
}
