// `uigate baselines --run <id> [--write]`: the run's failed screenshot comparisons become the new
// baselines from the images the run kept — no second run; when the release's approval reviewed
// them, only those accepted there. Without --write it says what it would
// do; with it, it writes each baseline that is still the one the run compared with (or missing),
// refuses the rest with the reason, and prints the `git add` line.
import { artifactStoreOf } from '../../artifacts/from-env.ts';
import { loadConfig } from '../../config/config.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { parseRunId } from '../../core/model.ts';
import { planBaselines, writeBaselines, type BaselinePlan } from '../../gate/visual-baselines.ts';
import { openStore } from '../../store/open-store.ts';
import type { ResultStore } from '../../store/result-store.ts';
import type { RunMeta } from '../../core/model.ts';
import { loadApproval } from '../../gate/approvals.ts';
import { loadVisualReview, type ImageReader } from '../../gate/visual-decisions.ts';
import type { ReviewedItem } from '../../gate/visual-review.ts';
import type { CommandIO } from '../io.ts';

export interface BaselinesFlags {
  config?: string;
  run: string;
  write?: boolean;
  json?: boolean;
}

const VERB: Record<BaselinePlan['action'], string> = { write: 'write', already: 'already there', refuse: 'refused' };

const changeId = (unitKey: string, baseline: string) => `${unitKey}\u0000${baseline}`;

/**
 * A run whose approval reviews its screenshots: only the changes accepted there (or accepted
 * before) become baselines; the rest are named and left. Undefined for a run nobody reviewed.
 */
async function reviewOf(
  store: ResultStore,
  run: RunMeta,
  read: ImageReader,
): Promise<{ accepted: Set<string>; left: ReviewedItem[] } | undefined> {
  const approval = await loadApproval(store, run.runId);
  if (!approval.request?.visualReview) return undefined;
  const items = await loadVisualReview(store, run, read);
  const isAccepted = (item: ReviewedItem) => item.decided?.decision === 'accepted' || Boolean(item.alreadyAccepted);
  return {
    accepted: new Set(items.filter(isAccepted).map((item) => changeId(item.unitKey, item.baseline))),
    left: items.filter((item) => !isAccepted(item)),
  };
}

export async function baselinesCommand(flags: BaselinesFlags, io: CommandIO): Promise<number> {
  parseRunId(flags.run);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const artifacts = artifactStoreOf(config.artifacts);
  if (!artifacts?.read)
    throw new UsageError('no artifact store to read the run’s images from (artifacts.dir or artifacts.bucket)');
  const { store } = await openStore(config.store);
  try {
    if (!(await store.getRun(flags.run)))
      throw new UsageError(`no run ${flags.run} in the store; list runs with \`npx uigate serve\``);
    const run = (await store.getRun(flags.run))!;
    const read = (key: string) => artifacts.read!(key);
    const review = await reviewOf(store, run, read);
    const units = (await store.getUnits(flags.run))
      .filter((unit) => unit.visual?.length)
      .map((unit) =>
        review
          ? { ...unit, visual: unit.visual!.filter((c) => review.accepted.has(changeId(unit.key, c.baseline))) }
          : unit,
      );
    const plans = await planBaselines(units, read, io.cwd);
    const written = flags.write ? await writeBaselines(plans, io.cwd) : [];
    if (flags.json)
      io.stdout.write(
        JSON.stringify({ runId: flags.run, baselines: plans.map((plan) => ({ ...plan, image: undefined })), written }) +
          '\n',
      );
    const say = (line: string) => io.stderr.write(`${line}\n`);
    if (plans.length === 0 && !review?.left.length) say(`run ${flags.run} has no failed screenshot comparison`);
    for (const item of review?.left ?? [])
      say(
        `  – ${item.baseline} (${item.kind}, [${item.project}] ${item.test}): ${item.decided ? 'rejected' : 'not decided'} in the release's visual review, left as it is`,
      );
    for (const plan of plans)
      say(
        `  ${plan.action === 'refuse' ? '✘' : '✓'} ${plan.baseline} (${plan.kind}, ${plan.test}): ${flags.write && plan.action === 'write' ? 'written' : VERB[plan.action]}${plan.reason ? ` — ${plan.reason}` : ''}`,
      );
    if (written.length) say(`git add ${written.map((path) => (/[\s'"$]/.test(path) ? `'${path}'` : path)).join(' ')}`);
    else if (!flags.write && plans.some((plan) => plan.action === 'write')) say('(nothing written: add --write)');
    return plans.some((plan) => plan.action === 'refuse') ? EXIT.testsFailed : EXIT.ok;
  } finally {
    await store.close();
    artifacts.close?.();
  }
}
