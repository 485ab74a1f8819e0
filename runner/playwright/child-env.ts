// The environment contract between the orchestrator and the Playwright it starts (locally, in
// Lambda, in CodeBuild): which run, which store, which executor, where events and artifacts go.
import type { ExecutorName } from '../model.ts';

export interface ChildContext {
  runId: string;
  executor: ExecutorName;
  /** Batch id, Lambda request id or CodeBuild build id. */
  executorRef: string;
  /** Dispatch try of this batch (1 for the first); orders writes across re-queues. */
  dispatch: number;
  store: { endpoint?: string; table: string; region: string };
  artifactsDir?: string;
  /** File descriptor the reporter writes its JSON-lines events to. */
  eventsFd?: number;
}

export function childEnv(context: ChildContext): Record<string, string> {
  const env: Record<string, string> = {
    UIGATE_RUN_ID: context.runId,
    UIGATE_EXECUTOR: context.executor,
    UIGATE_EXECUTOR_REF: context.executorRef,
    UIGATE_DISPATCH: String(context.dispatch),
    UIGATE_TABLE: context.store.table,
    UIGATE_REGION: context.store.region,
    UIGATE_BROWSER_NOTICES: 'off',
  };
  if (context.store.endpoint) env.UIGATE_DYNAMODB_ENDPOINT = context.store.endpoint;
  if (context.artifactsDir) env.UIGATE_ARTIFACTS_DIR = context.artifactsDir;
  if (context.eventsFd !== undefined) env.UIGATE_EVENTS_FD = String(context.eventsFd);
  return env;
}

/** The child's side: undefined when Playwright was started by hand, not by uigate. */
export function readChildContext(env: NodeJS.ProcessEnv = process.env): ChildContext | undefined {
  if (!env.UIGATE_RUN_ID) return undefined;
  return {
    runId: env.UIGATE_RUN_ID,
    executor: (env.UIGATE_EXECUTOR as ExecutorName | undefined) ?? 'local',
    executorRef: env.UIGATE_EXECUTOR_REF ?? 'unknown',
    dispatch: Number(env.UIGATE_DISPATCH ?? 1) || 1,
    store: { endpoint: env.UIGATE_DYNAMODB_ENDPOINT || undefined, table: env.UIGATE_TABLE ?? 'uigate', region: env.UIGATE_REGION ?? env.AWS_REGION ?? 'us-east-1' },
    artifactsDir: env.UIGATE_ARTIFACTS_DIR,
    eventsFd: env.UIGATE_EVENTS_FD ? Number(env.UIGATE_EVENTS_FD) : undefined,
  };
}

/** What the reporter tells the executor, one JSON object per line. */
export type ReporterEvent =
  | { type: 'begin'; total: number }
  | { type: 'unit'; record: import('../model.ts').UnitRecord }
  /** The record sent just before is now in the store; until this arrives the orchestrator keeps it to write itself. */
  | { type: 'stored'; key: string; seq: number }
  | { type: 'end'; status: string }
  | { type: 'error'; message: string };
