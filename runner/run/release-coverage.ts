// At a mono-repo run's end: what changed since the live production release, by component, and
// which runs cover it (plan/since-release.ts) — recorded on the run for the gate's
// `componentsVerified` rule and the approval panel, said in one line. Worked out where git is:
// the gate's own function has no clone.
import type { ResolvedConfig } from '../config/config.ts';
import type { RunMeta, SinceRelease } from '../core/model.ts';
import { isSmokeRun } from '../core/selection.ts';
import { sinceRelease } from '../plan/since-release.ts';
import type { ResultStore } from '../store/result-store.ts';

export async function recordSinceRelease(
  store: ResultStore,
  cwd: string,
  config: Pick<ResolvedConfig, 'components' | 'changes'>,
  run: RunMeta,
): Promise<SinceRelease | undefined> {
  if (Object.keys(config.components).length === 0 || isSmokeRun(run) || !run.commit) return undefined;
  const since = await sinceRelease(cwd, store, config, run.commit).catch((error: Error): SinceRelease => ({
    commits: [],
    components: [],
    unknown: `git could not say: ${error.message}`,
  }));
  await store.updateRun(run.runId, { sinceRelease: since });
  return since;
}
