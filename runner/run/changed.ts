// `uigate run --changed [base]`: the run narrowed to what a mono-repo change needs — the tests of
// the components it touched, the tests that always run and the test files it changed — or the
// whole suite, said why, when the change means it (a global file, an unmapped one, a base this
// clone lacks). A narrowed run is marked so; the gate keeps it out of production.
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/config.ts';
import { changedFiles, defaultBranch } from '../config/git-changes.ts';
import { UsageError } from '../core/errors.ts';
import type { UnitRef } from '../core/model.ts';
import type { Listing } from '../playwright/listing.ts';
import { affectedBy } from '../plan/affected.ts';
import { unitsForChange } from '../plan/changed-units.ts';
import { withDependencies } from '../plan/plan.ts';

export interface ChangeNarrowing {
  units: UnitRef[];
  /** What a person is told before the run starts. */
  notice: string;
  /** The merge base the run was narrowed from; absent when the whole suite runs. */
  since?: string;
}

export async function narrowToChange(
  changed: string | true,
  cwd: string,
  config: ResolvedConfig,
  units: UnitRef[],
  listing: Pick<Listing, 'rootDir' | 'projects'>,
): Promise<ChangeNarrowing> {
  if (Object.keys(config.components).length === 0)
    throw new UsageError(
      '--changed needs components in uigate.config.ts: components: { web: { paths: ["apps/web/**"], tests: { grep: "@web" } } }',
    );
  const base = changed === true ? await defaultBranch(cwd) : changed;
  if (!base)
    return { units, notice: '--changed: no default branch to compare with (pass --changed <ref>): whole suite' };
  const files = await changedFiles(cwd, base);
  if (!files.ok) return { units, notice: `--changed: ${files.reason}: whole suite` };
  const affected = affectedBy(files.files, config.components, config.changes);
  if (affected.wholeSuite) return { units, notice: `--changed since ${base}: ${affected.reason}` };
  const chosen = unitsForChange(
    units,
    {
      components: affected.components,
      files: files.files.map((file) => join(files.root, file)),
      always: config.changes.always,
    },
    config.components,
    listing.rootDir,
  );
  if (chosen.length === 0)
    throw new UsageError(
      `--changed since ${base}: ${affected.reason}, and no test covers it: nothing to run (add changes.always, or the component's tests)`,
    );
  const tests = units.filter((unit) => unit.role !== 'dependency').length;
  return {
    units: withDependencies(chosen, units, listing.projects),
    notice: `--changed since ${base}: ${affected.reason}: ${chosen.length} of ${tests} tests`,
    since: files.base,
  };
}
