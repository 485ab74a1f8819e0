// CodePipeline's EventBridge events, read: "CodePipeline Pipeline Execution State Change" and
// "CodePipeline Stage Execution State Change" (CodePipeline user guide, "Monitoring CodePipeline
// events": detail.pipeline, detail.execution-id, detail.stage, detail.state, detail.start-time,
// detail.execution-trigger; the event's own id and time). Delivered at least once and in no
// particular order (same page), so this only reads; the watcher orders and deduplicates.
import type { PipelineEvent } from '../store/pipeline-log.ts';

export const DETAIL_TYPES = {
  execution: 'CodePipeline Pipeline Execution State Change',
  stage: 'CodePipeline Stage Execution State Change',
} as const;

/** The EventBridge pattern of the watcher's rule: this pipeline's execution and stage changes. */
export function transitionsPattern(pipelineArn: string) {
  return {
    source: ['aws.codepipeline'],
    detailType: [DETAIL_TYPES.execution, DETAIL_TYPES.stage],
    resources: [pipelineArn],
  };
}

interface EventBridgeEvent {
  id?: unknown;
  time?: unknown;
  region?: unknown;
  source?: unknown;
  'detail-type'?: unknown;
  detail?: Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The event as the watcher keeps it, or a sentence saying why it is not one it can use. */
export function readPipelineEvent(raw: unknown): PipelineEvent | string {
  const event = (raw ?? {}) as EventBridgeEvent;
  const type = event['detail-type'];
  const scope = type === DETAIL_TYPES.execution ? 'execution' : type === DETAIL_TYPES.stage ? 'stage' : undefined;
  if (event.source !== 'aws.codepipeline' || !scope)
    return `not a CodePipeline execution or stage event (source ${String(event.source)}, detail-type ${String(type)})`;
  const detail = event.detail ?? {};
  const id = text(event.id);
  const at = text(event.time);
  const pipeline = text(detail.pipeline);
  const executionId = text(detail['execution-id']);
  const state = text(detail.state);
  const stage = text(detail.stage);
  if (!id || !at || !pipeline || !executionId || !state || (scope === 'stage' && !stage))
    return 'a CodePipeline event without its id, time, pipeline, execution-id, state or stage';
  const trigger = detail['execution-trigger'];
  return {
    id,
    at: new Date(at).toISOString(),
    pipeline,
    executionId,
    scope,
    state,
    ...(stage && scope === 'stage' ? { stage } : {}),
    ...(text(detail['start-time']) ? { startTime: new Date(text(detail['start-time'])!).toISOString() } : {}),
    ...(trigger && typeof trigger === 'object' ? { trigger: strings(trigger as Record<string, unknown>) } : {}),
    ...(text(event.region) ? { region: text(event.region) } : {}),
    ...(text(detail['stop-execution-comments']) ? { comment: text(detail['stop-execution-comments']) } : {}),
  };
}

const strings = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

/**
 * Who or what started an execution, in words: CodePipeline's trigger types (ExecutionTrigger,
 * API reference) are CreatePipeline, StartPipelineExecution, PollForSourceChanges, Webhook,
 * CloudWatchEvent, PutActionRevision, WebhookV2, ManualRollback, AutomatedRollback; the detail is
 * an ARN or a connection.
 */
export function triggerWords(trigger: Record<string, string> | undefined): string | undefined {
  if (!trigger) return undefined;
  const type = trigger['trigger-type'];
  const detail = trigger['trigger-detail'];
  const branch = trigger['branch-name'];
  const who =
    detail?.startsWith('arn:aws:sts::') || detail?.startsWith('arn:aws:iam::') ? detail.split('/').at(-1) : undefined;
  switch (type) {
    case 'StartPipelineExecution':
      return `started by hand${who ? ` by ${who}` : ''}`;
    case 'Webhook':
    case 'WebhookV2':
      return `a push${branch ? ` to ${branch}` : ''}`;
    case 'PollForSourceChanges':
    case 'CloudWatchEvent':
      return 'a change in the source';
    case 'CreatePipeline':
      return 'the pipeline being created';
    case 'ManualRollback':
    case 'AutomatedRollback':
      return `a ${type === 'ManualRollback' ? 'manual' : 'automated'} rollback`;
    default:
      return type ? `${type}${who ? ` by ${who}` : ''}` : undefined;
  }
}
