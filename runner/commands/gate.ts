// `uigate gate --run <id>`: evaluates the gate policy (uigate.config.ts `gate`) on a run, prints
// each rule with what was measured and the threshold, records the decision as a run event, and
// exits 0 when the run may go on to approval, 1 when not.
import { loadConfig } from '../config.ts';
import { EXIT, UsageError } from '../errors.ts';
import { evaluatePolicy, formatDecision } from '../gate/policy.ts';
import { RUN_ID_PATTERN, type UnitRecord } from '../model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { openStore } from '../store/open-store.ts';
import type { CommandIO } from './run.ts';

export interface GateFlags {
  config?: string;
  run: string;
  json?: boolean;
}

/** The units of the newest earlier run that was approved, to tell new failures from old ones. */
async function lastApproved(store: ResultStore, before: string): Promise<{ runId: string; units: UnitRecord[] } | undefined> {
  const { items } = await store.listRuns({ limit: 50 });
  for (const run of items.filter((r) => r.runId < before)) {
    const events = await store.listEvents(run.runId);
    if (events.some((event) => event.type === 'approval' && event.detail?.decision === 'approved')) return { runId: run.runId, units: await store.getUnits(run.runId) };
  }
  return undefined;
}

export async function gateCommand(flags: GateFlags, io: CommandIO): Promise<number> {
  if (!RUN_ID_PATTERN.test(flags.run)) throw new UsageError(`malformed run id "${flags.run}" (--run): run ids look like 20261122T185625123Z-k3f9`);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const { store } = await openStore(config.store);
  try {
    const run = await store.getRun(flags.run);
    if (!run) throw new UsageError(`no run ${flags.run} in the store; list runs with \`npx uigate serve\``);
    const units = await store.getUnits(run.runId);
    const approved = await lastApproved(store, run.runId);
    const decision = evaluatePolicy(config.gate, run, units, approved?.units);
    await store.addEvent({
      runId: run.runId,
      at: new Date().toISOString(),
      type: 'gate',
      actor: 'uigate gate',
      detail: { passed: decision.passed, rules: decision.rules, policy: config.gate, comparedWith: approved?.runId ?? null },
    });
    io.stderr.write(`${formatDecision(decision)}\n`);
    if (flags.json) io.stdout.write(JSON.stringify({ runId: run.runId, ...decision }) + '\n');
    return decision.passed ? EXIT.ok : EXIT.testsFailed;
  } finally {
    await store.close();
  }
}
