// The gate policy as CodePipeline's beforeEntry condition on the Approval stage (a LambdaInvoke
// rule): finds the run that the Test stage recorded for this pipeline execution, judges it, opens
// its approval request (superseding older ones), tells the approvers, and answers the job — so the
// stage is not entered, and nobody is asked to approve, when the results do not meet the policy.
import {
  CodePipelineClient,
  GetJobDetailsCommand,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { configFromEnv, type ResolvedConfig } from '../config/config.ts';
import type { RunMeta } from '../core/model.ts';
import { createNotifier, runLink } from '../notify/from-config.ts';
import type { Notifier } from '../notify/notifier.ts';
import { connectStore } from '../store/open-store.ts';
import type { ResultStore } from '../store/result-store.ts';
import { openRequest } from './approvals.ts';
import { judgeRun } from './judge.ts';
import { formatDecision } from './policy.ts';

export interface PipelineJobEvent {
  'CodePipeline.job': { id: string; data?: { actionConfiguration?: { configuration?: { UserParameters?: string } } } };
}

export interface GateJobDeps {
  store: ResultStore;
  codepipeline: CodePipelineClient;
  config: Pick<ResolvedConfig, 'gate' | 'approval' | 'notify'>;
  notifier?: Notifier;
}

export interface GateJobResult {
  passed: boolean;
  runId?: string;
  message: string;
}

/** CodePipeline caps a job failure message at 5,000 characters. */
const clip = (text: string) => (text.length > 5000 ? `${text.slice(0, 4990)}\n…` : text);

async function executionOf(event: PipelineJobEvent, codepipeline: CodePipelineClient): Promise<string | undefined> {
  const raw = event['CodePipeline.job'].data?.actionConfiguration?.configuration?.UserParameters;
  if (raw) {
    try {
      const given = (JSON.parse(raw) as { pipelineExecutionId?: unknown }).pipelineExecutionId;
      if (typeof given === 'string' && given && !given.startsWith('#{')) return given;
    } catch {
      // Not JSON: fall back to asking CodePipeline.
    }
  }
  const { jobDetails } = await codepipeline.send(new GetJobDetailsCommand({ jobId: event['CodePipeline.job'].id }));
  return jobDetails?.data?.pipelineContext?.pipelineExecutionId;
}

async function runOf(store: ResultStore, executionId: string): Promise<RunMeta | undefined> {
  const { items } = await store.listRuns({ limit: 100 });
  return items.find((run) => run.pipelineExecutionId === executionId);
}

export async function gateJob(event: PipelineJobEvent, deps: GateJobDeps): Promise<GateJobResult> {
  const jobId = event['CodePipeline.job']?.id;
  if (!jobId) throw new Error('not a CodePipeline job event: no CodePipeline.job.id');
  const fail = async (message: string, runId?: string): Promise<GateJobResult> => {
    await deps.codepipeline.send(
      new PutJobFailureResultCommand({ jobId, failureDetails: { type: 'JobFailed', message: clip(message) } }),
    );
    return { passed: false, runId, message };
  };
  try {
    const executionId = await executionOf(event, deps.codepipeline);
    if (!executionId)
      return await fail('gate: the pipeline execution id is unknown (UserParameters and GetJobDetails gave none)');
    const found = await runOf(deps.store, executionId);
    if (!found)
      return await fail(
        `gate: no uigate run was recorded for pipeline execution ${executionId}; did the Test stage run \`uigate run\` with UIGATE_PIPELINE_EXECUTION_ID?`,
      );
    const judged = (await judgeRun(deps.store, found.runId, deps.config.gate, 'pipeline gate'))!;
    await openRequest({
      store: deps.store,
      run: judged.run,
      gate: judged.decision,
      settings: deps.config.approval,
      actor: 'pipeline gate',
      notifier: deps.notifier,
      link: runLink(deps.config, found.runId),
    });
    const message = `run ${found.runId}\n${formatDecision(judged.decision)}`;
    if (!judged.decision.passed) return await fail(message, found.runId);
    // No outputVariables: whether a rule's job may set them is not documented, and nothing reads
    // them (the Test stage exports the run id). A refused success would keep a passing gate shut.
    await deps.codepipeline.send(new PutJobSuccessResultCommand({ jobId }));
    return { passed: true, runId: found.runId, message };
  } catch (error) {
    // Whatever broke, the job gets an answer: a silent function leaves the pipeline hanging.
    return fail(`gate: ${(error as Error).message}`);
  }
}

export class GateFailed extends Error {
  override readonly name = 'GateFailed';
}

/**
 * The rule's Lambda entry point. Whether CodePipeline's LambdaInvoke rule judges by the job result
 * (PutJobFailureResult) or by the invocation succeeding is not documented: a failed gate does
 * both — reports the job failed and fails the invocation — so it is closed either way.
 */
export function gateHandler(depsOf: () => GateJobDeps) {
  return async (event: PipelineJobEvent): Promise<GateJobResult> => {
    const result = await gateJob(event, depsOf());
    console.log(JSON.stringify({ runId: result.runId, passed: result.passed }));
    if (!result.passed) throw new GateFailed(result.message.split('\n').slice(0, 20).join('\n'));
    return result;
  };
}

let deps: GateJobDeps | undefined;
export const handler = gateHandler(() => {
  if (!deps) {
    const config = configFromEnv();
    deps = {
      store: connectStore(config.store),
      codepipeline: new CodePipelineClient({}),
      config,
      notifier: createNotifier(config),
    };
  }
  return deps;
});
