// Why an execution failed or stopped, in the words people use: "tests failed" with the run's new
// failures, "deployment failed" with what the failed action said, "not approved", "build failed".
import type { PipelineEvent } from '../store/pipeline-log.ts';
import type { RunMeta } from '../core/model.ts';
import { changesSince } from '../report/changes.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { ExecutionFacts } from './execution-facts.ts';
import type { EndStatus } from './transitions.ts';

interface FailureQuestion {
  executionId: string;
  run: RunMeta | undefined;
  store: ResultStore;
  facts: ExecutionFacts;
  settings: { testStage?: string; deployStage?: string; approvalStage?: string };
  warn?: (line: string) => void;
}

export async function failureWords(stage: string | undefined, q: FailureQuestion): Promise<string> {
  const actions = await q.facts.failure(q.executionId, stage).catch((error: Error) => {
    q.warn?.(`why ${stage ?? 'the execution'} failed is unknown: ${error.message}`);
    return undefined;
  });
  const { testStage, deployStage, approvalStage } = q.settings;
  if (stage && stage === testStage) return testWords(q, actions);
  if (stage && stage === deployStage) return `deployment failed: ${actions ?? `the ${stage} stage failed`}`;
  if (stage && stage === approvalStage) return `not approved: ${actions ?? 'rejected, or the gate refused the run'}`;
  return `${(stage ?? 'the execution').toLowerCase()} failed${actions ? `: ${actions}` : ''}`;
}

async function testWords(q: FailureQuestion, actions: string | undefined): Promise<string> {
  const { run } = q;
  if (!run) return `tests failed: ${actions ?? 'the stage failed before uigate recorded a run'}`;
  if (run.status !== 'failed') return `tests ${run.status}: ${run.reason ?? actions ?? `run ${run.runId}`}`;
  const units = await q.store.getUnits(run.runId);
  const changes = await changesSince(q.store, run, units);
  const failed = units.filter((unit) => unit.status === 'failed');
  const fresh = changes.baseline ? [...changes.newFailures, ...changes.firstFailures] : failed.map((unit) => unit.key);
  const byKey = new Map(units.map((unit) => [unit.key, unit]));
  const named = fresh
    .slice(0, 3)
    .map((key) => byKey.get(key)!)
    .map((unit) => `[${unit.project}] ${unit.titlePath.join(' › ')}`);
  const more = fresh.length > named.length ? `; +${fresh.length - named.length} more` : '';
  const what = changes.baseline
    ? `${fresh.length} new failure${fresh.length === 1 ? '' : 's'}`
    : `${failed.length} failed`;
  return `tests failed: ${what}${named.length ? `: ${named.join('; ')}${more}` : ''}`;
}

export function stoppedWords(status: EndStatus, events: readonly PipelineEvent[]): string {
  if (status === 'Superseded') return 'superseded: a newer execution went on through the pipeline';
  if (status === 'Cancelled') return 'cancelled: the pipeline was changed while it ran';
  const comment = events.find((e) => e.scope === 'execution' && e.comment)?.comment;
  return `stopped${comment ? `: ${comment}` : ' by hand'}`;
}
