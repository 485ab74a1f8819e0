// Does CodePipeline act on the gate's answer? Whether its LambdaInvoke rule goes by the job result
// or by the invocation is only seen in an account (infra/README.md): this reads the pipeline's
// own record of the Approval stage's rule (ListRuleExecutions, V2 pipelines) beside the gate's
// decision uigate stored for the same execution. A failing run that entered the stage is a gate
// that is open when it should be shut.
import {
  ListRuleExecutionsCommand,
  type CodePipelineClient,
  type RuleExecutionDetail,
} from '@aws-sdk/client-codepipeline';
import type { RunMeta } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { failed, passed, skipped, type Check } from './check.ts';

export interface GateCheckOptions {
  pipelineName: string;
  /** The stage whose beforeEntry rule is the gate. @default 'Approval' */
  stageName?: string;
}

/** Reads the gate's stored answer for the run: the last `gate` event of the pipeline's judge. */
async function storedDecision(store: ResultStore, run: RunMeta): Promise<boolean | undefined> {
  const events = await store.listEvents(run.runId);
  const gate = events.filter((event) => event.type === 'gate' && event.actor === 'pipeline gate').at(-1);
  return (gate?.detail as { passed?: boolean } | undefined)?.passed;
}

async function ruleExecutions(codepipeline: CodePipelineClient, options: GateCheckOptions) {
  const { ruleExecutionDetails = [] } = await codepipeline.send(
    new ListRuleExecutionsCommand({ pipelineName: options.pipelineName, maxResults: 100 }),
  );
  const stage = options.stageName ?? 'Approval';
  return ruleExecutionDetails.filter(
    (rule): rule is RuleExecutionDetail & { pipelineExecutionId: string } =>
      rule.stageName === stage &&
      !!rule.pipelineExecutionId &&
      (rule.status === 'Succeeded' || rule.status === 'Failed'),
  );
}

export const gateHistoryCheck = (
  codepipeline: CodePipelineClient,
  store: ResultStore,
  options: GateCheckOptions,
): Check => ({
  name: 'Approval gate follows the results',
  async run() {
    const rules = await ruleExecutions(codepipeline, options);
    const { items: runs } = await store.listRuns({ limit: 200 });
    const seen = { shut: 0, opened: 0 };
    for (const rule of rules) {
      const run = runs.find((candidate) => candidate.pipelineExecutionId === rule.pipelineExecutionId);
      const decision = run && (await storedDecision(store, run));
      if (decision === undefined) continue;
      const entered = rule.status === 'Succeeded';
      if (!decision && entered)
        return failed(
          `execution ${rule.pipelineExecutionId}: run ${run!.runId} failed the gate, yet the stage's rule ${rule.ruleName} succeeded — the gate is open`,
          'stop promoting from this pipeline and report it: the rule judged the invocation, not the job; uigate fails both, so check that the deployed gate function is this version',
        );
      if (decision && !entered)
        return failed(
          `execution ${rule.pipelineExecutionId}: run ${run!.runId} passed the gate, yet the rule ${rule.ruleName} failed`,
          `read the rule's output: aws codepipeline list-rule-executions --pipeline-name ${options.pipelineName}`,
        );
      seen[entered ? 'opened' : 'shut']++;
    }
    const detail = `${seen.shut} failing run(s) kept the stage shut, ${seen.opened} passing run(s) opened it`;
    if (seen.shut && seen.opened) return passed(detail);
    return skipped(
      `${detail} — both are needed to prove the gate`,
      seen.shut
        ? 'run the pipeline on a commit whose tests pass, then run the doctor again'
        : 'push a commit with a failing test to a branch the pipeline runs (then revert it), and run the doctor again',
    );
  },
});
