// `uigate baselines --run <id> [--write]`: the run's failed screenshot comparisons become the new
// baselines from the images the run kept — no second run. Without --write it says what it would
// do; with it, it writes each baseline that is still the one the run compared with (or missing),
// refuses the rest with the reason, and prints the `git add` line.
import { artifactStoreOf } from '../../artifacts/from-env.ts';
import { loadConfig } from '../../config/config.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { parseRunId } from '../../core/model.ts';
import { planBaselines, writeBaselines, type BaselinePlan } from '../../gate/visual-baselines.ts';
import { openStore } from '../../store/open-store.ts';
import type { CommandIO } from '../io.ts';

export interface BaselinesFlags {
  config?: string;
  run: string;
  write?: boolean;
  json?: boolean;
}

const VERB: Record<BaselinePlan['action'], string> = { write: 'write', already: 'already there', refuse: 'refused' };

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
    const units = (await store.getUnits(flags.run)).filter((unit) => unit.visual?.length);
    const plans = await planBaselines(units, (key) => artifacts.read!(key), io.cwd);
    const written = flags.write ? await writeBaselines(plans, io.cwd) : [];
    if (flags.json)
      io.stdout.write(
        JSON.stringify({ runId: flags.run, baselines: plans.map((plan) => ({ ...plan, image: undefined })), written }) +
          '\n',
      );
    const say = (line: string) => io.stderr.write(`${line}\n`);
    if (plans.length === 0) say(`run ${flags.run} has no failed screenshot comparison`);
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
