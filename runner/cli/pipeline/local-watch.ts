// `uigate pipeline --local` tells its stages through the pipeline watcher, as CodePipeline's
// events would: each stage starting and ending becomes the same EventBridge-shaped event the
// watcher function gets in AWS, so the terminal (and a configured topic) shows exactly the messages
// a channel will get — with expected finishes from this machine's own earlier executions.
import { randomUUID } from 'node:crypto';
import { commitInfo } from '../../config/commit-info.ts';
import type { Notifier } from '../../notify/notifier.ts';
import type { PipelineLog } from '../../store/pipeline-log.ts';
import type { ResultStore } from '../../store/result-store.ts';
import type { ExecutionFacts, SourceFacts } from '../../watch/execution-facts.ts';
import { DETAIL_TYPES } from '../../watch/pipeline-event.ts';
import { watchEvent } from '../../watch/watcher.ts';

/** The local pipeline's stages, in order: the candidate site is its build. */
export const LOCAL_STAGES = ['Build', 'Test', 'Approval', 'Production'];
export const LOCAL_PIPELINE = 'uigate-local';

export class LocalWatch {
  private readonly startedAt = new Date().toISOString();
  private failure: string | undefined;
  private sequence = 0;

  constructor(
    private readonly deps: {
      store: ResultStore & { pipelineLog?: () => PipelineLog };
      notifier: Notifier;
      executionId: string;
      cwd: string;
      env: NodeJS.ProcessEnv;
      statusUrl?: string;
      warn: (line: string) => void;
    },
  ) {}

  execution(state: 'STARTED' | 'SUCCEEDED' | 'FAILED'): Promise<void> {
    return this.send(DETAIL_TYPES.execution, state);
  }

  /** Tells a stage's state; a failed one with the words the watcher gives as the failed action's. */
  stage(stage: string, state: 'STARTED' | 'SUCCEEDED' | 'FAILED', why?: string): Promise<void> {
    if (why) this.failure = why;
    return this.send(DETAIL_TYPES.stage, state, stage);
  }

  private async send(type: string, state: string, stage?: string): Promise<void> {
    const log = this.deps.store.pipelineLog?.();
    if (!log) return;
    const event = {
      id: `${this.deps.executionId}-${this.sequence++}`,
      source: 'aws.codepipeline',
      'detail-type': type,
      time: new Date().toISOString(),
      detail: {
        pipeline: LOCAL_PIPELINE,
        'execution-id': this.deps.executionId,
        'start-time': this.startedAt,
        state,
        ...(stage ? { stage } : {}),
        ...(type === DETAIL_TYPES.execution && state === 'STARTED'
          ? {
              'execution-trigger': {
                'trigger-type': 'StartPipelineExecution',
                'trigger-detail': 'uigate pipeline --local',
              },
            }
          : {}),
      },
    };
    await watchEvent(event, {
      log,
      store: this.deps.store,
      facts: this.facts(),
      notifier: this.deps.notifier,
      settings: {
        pipeline: LOCAL_PIPELINE,
        stages: LOCAL_STAGES,
        testStage: 'Test',
        approvalStage: 'Approval',
        deployStage: 'Production',
        statusUrl: this.deps.statusUrl,
      },
      holder: randomUUID(),
      warn: this.deps.warn,
    }).catch((error: Error) => this.deps.warn(`the pipeline's messages: ${error.message}`));
  }

  private facts(): ExecutionFacts {
    return {
      source: async (): Promise<SourceFacts> => {
        const info = await commitInfo(this.deps.cwd, this.deps.env);
        return {
          commit: info.commit,
          commitMessage: info.commitMessage,
          branch: info.branch,
          author: info.author,
          trigger: 'uigate pipeline --local',
        };
      },
      failure: async () => this.failure,
    };
  }
}
