// "Is every change since the last production release covered by a passing run?" — for a
// mono-repo whose components are tested by narrowed runs. The commits between the live release
// and the candidate, the components each touched, and for each component the newest run that
// contains its newest change and ran its tests: passed, failed, or never run. Skipped is not
// verified. Computed where git is (the test stage), recorded on the run, judged by the gate's
// `componentsVerified` rule wherever it runs.
import type { ChangeRules, Components } from '../config/components.ts';
import { commitsBetween, contains } from '../config/git-changes.ts';
import type { Release, RunMeta, SinceRelease } from '../core/model.ts';
import { isSmokeRun } from '../core/selection.ts';
import type { ResultStore } from '../store/result-store.ts';
import { affectedBy } from './affected.ts';
import { verifiedBy } from './verified-bases.ts';

const LISTED_COMMITS = 50;
const LOOK_BACK_RUNS = 300;

/** The release production serves now: the newest, or the one its rollback brought back. */
export function liveRelease(releases: readonly Release[]): Release | undefined {
  const newest = releases[0];
  if (!newest?.rolledBackTo) return newest;
  return releases.find((release) => release.target === newest.target && release.releaseId === newest.rolledBackTo);
}

/** The runs that tested a component, whatever their outcome: the whole suite, or a --changed run that ran it. */
function tested(run: RunMeta, name: string, names: readonly string[]): boolean {
  return verifiedBy({ ...run, status: 'passed' }, names).includes(name);
}

export async function sinceRelease(
  cwd: string,
  store: Pick<ResultStore, 'recentReleases' | 'listRuns'>,
  config: { components: Components; changes: ChangeRules },
  candidate: string,
): Promise<SinceRelease> {
  const names = Object.keys(config.components);
  const live = liveRelease(await store.recentReleases({ limit: 50 }));
  const runs = await recentRuns(store);
  const covering = memo(cwd);
  if (!live) {
    // Nothing released yet: every component is new, and only runs of the candidate itself cover it.
    const components: SinceRelease['components'] = [];
    for (const name of names)
      components.push({
        name,
        lastChange: candidate,
        ...(await newestCovering(covering, runs, name, names, candidate)),
      });
    return { commits: [], components };
  }
  if (!live.commit) return { commits: [], components: [], unknown: `release ${live.releaseId} records no commit` };
  const release = { target: live.target, releaseId: live.releaseId, runId: live.runId, commit: live.commit };
  const commits = await commitsBetween(cwd, live.commit, candidate).catch(() => undefined);
  if (!commits)
    return {
      release,
      commits: [],
      components: [],
      unknown: `the release's commit ${live.commit.slice(0, 12)} is not in this clone`,
    };
  const touched = commits.map((commit) => {
    const affected = affectedBy(commit.files, config.components, config.changes);
    return {
      commit: commit.commit,
      subject: commit.subject,
      components: affected.wholeSuite ? names : affected.components,
    };
  });
  const components: SinceRelease['components'] = [];
  for (const name of names) {
    const lastChange = touched.find((commit) => commit.components.includes(name))?.commit;
    if (!lastChange) continue;
    components.push({ name, lastChange, ...(await newestCovering(covering, runs, name, names, lastChange)) });
  }
  return { release, commits: touched.slice(0, LISTED_COMMITS), components };
}

/** The newest finished run that tested `name` on a commit containing `change`: passed wins over failed. */
async function newestCovering(
  contains: (commit: string, change: string) => Promise<boolean>,
  runs: readonly RunMeta[],
  name: string,
  names: readonly string[],
  change: string,
): Promise<{ state: 'passed' | 'failed' | 'never run'; runId?: string }> {
  let failed: string | undefined;
  for (const run of runs) {
    if (!run.commit || !tested(run, name, names)) continue;
    if (run.status !== 'passed' && run.status !== 'failed') continue;
    if (!(await contains(run.commit, change))) continue;
    if (run.status === 'passed') return { state: 'passed', runId: run.runId };
    failed ??= run.runId;
  }
  return failed ? { state: 'failed', runId: failed } : { state: 'never run' };
}

/** git's answer to "does this commit contain that change?", asked once per pair. */
function memo(cwd: string) {
  const answers = new Map<string, Promise<boolean>>();
  return (commit: string, change: string) => {
    const key = `${commit} ${change}`;
    if (!answers.has(key)) answers.set(key, contains(cwd, commit, change));
    return answers.get(key)!;
  };
}

async function recentRuns(store: Pick<ResultStore, 'listRuns'>): Promise<RunMeta[]> {
  const runs: RunMeta[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 100, cursor });
    runs.push(...page.items.filter((run) => !isSmokeRun(run)));
    cursor = page.cursor;
  } while (cursor && runs.length < LOOK_BACK_RUNS);
  return runs;
}
