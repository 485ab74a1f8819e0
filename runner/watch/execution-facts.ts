// What the events do not carry, asked of CodePipeline: the commit an execution builds and its
// message (GetPipelineExecution's artifactRevisions), who or what started it (its trigger), and
// why a stage failed (ListActionExecutions: the failed actions' error or summary). Locally
// (`uigate pipeline --local`) the same questions are answered from git and the stages' own words.
import {
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  type ActionExecutionDetail,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { triggerWords } from './pipeline-event.ts';

export interface SourceFacts {
  repository?: string;
  commit?: string;
  commitMessage?: string;
  branch?: string;
  author?: string;
  trigger?: string;
}

export interface ExecutionFacts {
  source(executionId: string): Promise<SourceFacts>;
  /** The failed actions of a stage, in words: "Deploy: exit status 1". */
  failure(executionId: string, stage?: string): Promise<string | undefined>;
}

/**
 * A revision summary, as CodePipeline gives it: a CodeConnections source (GitHub, GitLab,
 * Bitbucket) puts JSON with the commit message there, CodeCommit and S3 plain text.
 */
export function commitMessageOf(summary: string | undefined): string | undefined {
  if (!summary) return undefined;
  if (summary.startsWith('{')) {
    try {
      const parsed = JSON.parse(summary) as { CommitMessage?: unknown };
      return typeof parsed.CommitMessage === 'string' ? parsed.CommitMessage : undefined;
    } catch {
      return summary;
    }
  }
  return summary;
}

/** ListActionExecutions pages to read at most: an execution has a few dozen actions. */
const MAX_PAGES = 3;

export class CodePipelineFacts implements ExecutionFacts {
  constructor(
    private readonly client: CodePipelineClient,
    private readonly pipeline: string,
    /** The branch the pipeline's source follows, when the pipeline was built with one. */
    private readonly branch?: string,
  ) {}

  async source(executionId: string): Promise<SourceFacts> {
    const { pipelineExecution } = await this.client.send(
      new GetPipelineExecutionCommand({ pipelineName: this.pipeline, pipelineExecutionId: executionId }),
    );
    const revision = pipelineExecution?.artifactRevisions?.[0];
    return {
      commit: revision?.revisionId,
      commitMessage: commitMessageOf(revision?.revisionSummary),
      branch: this.branch,
      trigger: triggerWords(
        pipelineExecution?.trigger?.triggerType
          ? {
              'trigger-type': pipelineExecution.trigger.triggerType,
              ...(this.branch ? { 'branch-name': this.branch } : {}),
              ...(pipelineExecution.trigger.triggerDetail
                ? { 'trigger-detail': pipelineExecution.trigger.triggerDetail }
                : {}),
            }
          : undefined,
      ),
    };
  }

  async failure(executionId: string, stage?: string): Promise<string | undefined> {
    const failed: ActionExecutionDetail[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.client.send(
        new ListActionExecutionsCommand({
          pipelineName: this.pipeline,
          filter: { pipelineExecutionId: executionId },
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      failed.push(
        ...(answer.actionExecutionDetails ?? []).filter(
          (action) => action.status === 'Failed' && (!stage || action.stageName === stage),
        ),
      );
      nextToken = answer.nextToken;
      if (!nextToken) break;
    }
    const words = failed.map((action) => {
      const result = action.output?.executionResult;
      const why = result?.errorDetails?.message ?? result?.externalExecutionSummary;
      return `${action.actionName}${why ? `: ${why}` : ' failed'}`;
    });
    return words.length ? [...new Set(words)].join('; ') : undefined;
  }
}
