// Judging a run: the policy evaluated on its units (and on the last approved run's, for new
// failures), recorded as a gate event. Shared by `uigate gate` and the pipeline's gate function.
import type { RunMeta, UnitRecord } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { evaluatePolicy, type GateDecision } from './policy.ts';
import type { GatePolicy } from '../core/gate-policy.ts';

export interface Judgement {
  run: RunMeta;
  decision: GateDecision;
  comparedWith?: string;
}

/** How many runs back to look for it: enough for a busy repository between two releases. */
const LOOK_BACK_RUNS = 2_000;

/** Finds the newest earlier run on the branch whose approval request was approved, to tell new failures from old ones. */
async function lastApproved(
  store: ResultStore,
  before: RunMeta,
): Promise<{ runId: string; units: UnitRecord[] } | undefined> {
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await store.listRuns({ limit: 100, cursor });
    for (const run of page.items) {
      // Only a decided run can have been approved, and deciding marks it kept: the others cost no read.
      if (run.runId >= before.runId || run.branch !== before.branch || !run.kept) continue;
      const events = await store.listEvents(run.runId);
      if (events.some((event) => event.type === 'approval-decided' && event.detail?.state === 'approved'))
        return { runId: run.runId, units: await store.getUnits(run.runId) };
    }
    seen += page.items.length;
    cursor = page.cursor;
  } while (cursor && seen < LOOK_BACK_RUNS);
  return undefined;
}

/** Evaluates the policy on a stored run and records the decision; undefined when there is no such run. */
export async function judgeRun(
  store: ResultStore,
  runId: string,
  policy: GatePolicy,
  actor: string,
): Promise<Judgement | undefined> {
  const run = await store.getRun(runId);
  if (!run) return undefined;
  const approved = await lastApproved(store, run);
  const decision = evaluatePolicy(policy, run, await store.getUnits(runId), approved?.units);
  await store.addEvent({
    runId,
    at: new Date().toISOString(),
    type: 'gate',
    actor,
    detail: { passed: decision.passed, rules: decision.rules, policy, comparedWith: approved?.runId ?? null },
  });
  return { run, decision, comparedWith: approved?.runId };
}
