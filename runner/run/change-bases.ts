// What `uigate run --changed` (no base given) compares each component with: the commit of the
// newest passing run on this branch that verified it, else where the branch left the default
// branch. A component with neither — never verified on the default branch itself — is affected:
// untested is not unchanged.
import type { ChangeRules, Components } from '../config/components.ts';
import { changedFiles, defaultBranch, type ChangedFiles } from '../config/git-changes.ts';
import { affectedBy, type Affected } from '../plan/affected.ts';
import { lastVerified, type VerifiedAt } from '../plan/verified-bases.ts';
import type { ResultStore } from '../store/result-store.ts';

export type ComponentChange =
  | (Affected & {
      ok: true;
      /** Every file changed since any component's base, relative to `root`: test files among them run. */
      files: string[];
      root: string;
      /** The base each component was compared with, in words: "web since a1b2c3d4e5f6 (run R…)". */
      bases: string[];
      /** One base commit for the run's record (the first component's). */
      since: string;
    })
  | { ok: false; reason: string };

const short = (commit: string) => commit.slice(0, 12);

/** Each component compared with its own base; the union of what they need. */
export async function changeSinceVerified(
  cwd: string,
  config: { components: Components; changes: ChangeRules },
  store: Pick<ResultStore, 'listRuns'> | undefined,
  branch: string | undefined,
): Promise<ComponentChange> {
  const names = Object.keys(config.components);
  const verified = store && branch ? await lastVerified(store, branch, names) : new Map<string, VerifiedAt>();
  const fallback = await defaultBranch(cwd);
  const diffs = new Map<string, Promise<ChangedFiles>>();
  const diff = (base: string) => diffs.get(base) ?? diffs.set(base, changedFiles(cwd, base)).get(base)!;
  const touched: string[] = [];
  const bases: string[] = [];
  const files = new Set<string>();
  let root = '';
  let since = '';
  for (const name of names) {
    const at = verified.get(name);
    const base = at?.commit ?? fallback;
    if (!base)
      return {
        ok: false,
        reason: `${name} has no passing run on ${branch ?? 'this branch'} and there is no default branch to compare with`,
      };
    const change = await diff(base);
    if (!change.ok) return { ok: false, reason: `${name}: ${change.reason}` };
    since ||= change.base;
    root = change.root;
    for (const file of change.files) files.add(file);
    const affected = affectedBy(change.files, config.components, config.changes);
    if (affected.wholeSuite) return { ok: false, reason: `since ${at ? short(at.commit) : base}: ${affected.reason}` };
    const neverVerified = !at && change.base === change.head;
    if (affected.components.includes(name) || neverVerified) touched.push(name);
    bases.push(
      neverVerified
        ? `${name} never passed on ${branch ?? 'this branch'}`
        : `${name} since ${at ? `${short(at.commit)} (run ${at.runId})` : base}`,
    );
  }
  return {
    ok: true,
    components: touched,
    wholeSuite: false,
    reason: touched.length ? `${touched.join(', ')} changed` : 'no component changed',
    files: [...files].sort(),
    root,
    bases,
    since,
  };
}
