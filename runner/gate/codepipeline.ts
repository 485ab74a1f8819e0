// The bridge to CodePipeline's manual approval: find the pending approval's token for exactly the
// execution a request was made for, and answer it. Approving a stale execution is the classic way
// to promote the wrong commit, so a token for any other execution is refused, never used.
import {
  GetPipelineStateCommand,
  PutApprovalResultCommand,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';

/** Waiting (its token), already answered for this execution (by whom it does not say), or refused. */
export type PendingApproval = { token: string } | { answered: 'Approved' | 'Rejected' } | { refused: string };

/** The seam the approval service talks to; CodePipeline in AWS, nothing locally. */
export interface PipelineApproval {
  readonly name: string;
  pending(executionId: string): Promise<PendingApproval>;
  answer(token: string, status: 'Approved' | 'Rejected', summary: string): Promise<void>;
}

export interface PipelineAddress {
  name: string;
  stage: string;
  action: string;
}

export class CodePipelineApproval implements PipelineApproval {
  readonly name: string;

  constructor(
    private readonly client: CodePipelineClient,
    private readonly address: PipelineAddress,
  ) {
    this.name = address.name;
  }

  async pending(executionId: string): Promise<PendingApproval> {
    const { name, stage, action } = this.address;
    const state = await this.client.send(new GetPipelineStateCommand({ name }));
    const stageState = state.stageStates?.find((s) => s.stageName === stage);
    if (!stageState) return { refused: `pipeline ${name} has no stage ${stage}` };
    const waitingFor = stageState.latestExecution?.pipelineExecutionId;
    const approval = stageState.actionStates?.find((a) => a.actionName === action)?.latestExecution;
    if (waitingFor !== executionId) {
      return {
        refused: `pipeline ${name} is waiting for approval of execution ${waitingFor ?? 'unknown'}, not ${executionId}; a stale execution is never approved`,
      };
    }
    // A manual approval that was approved ends Succeeded, a rejected one Failed (ActionExecution.status).
    if (approval?.status === 'Succeeded') return { answered: 'Approved' };
    if (approval?.status === 'Failed') return { answered: 'Rejected' };
    if (!approval?.token || approval.status !== 'InProgress')
      return { refused: `pipeline ${name} has no approval waiting in ${stage}/${action}` };
    return { token: approval.token };
  }

  async answer(token: string, status: 'Approved' | 'Rejected', summary: string): Promise<void> {
    const { name, stage, action } = this.address;
    // CodePipeline caps the summary at 512 characters.
    await this.client.send(
      new PutApprovalResultCommand({
        pipelineName: name,
        stageName: stage,
        actionName: action,
        token,
        result: { status, summary: summary.slice(0, 512) },
      }),
    );
  }
}
