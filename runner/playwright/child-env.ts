// The environment contract between the orchestrator and the Playwright it starts (locally, in
// Lambda, in CodeBuild): which run, which store, which executor, where events and artifacts go.
import type { ExecutorName, UnitRecord } from '../core/model.ts';
import { ENV } from '../core/env.ts';
import { awsRegion } from '../aws/region.ts';
import { parseKey, type StoreAddress } from '../store/store-address.ts';

export interface ChildContext {
  runId: string;
  executor: ExecutorName;
  /** Batch id, Lambda request id or CodeBuild build id. */
  executorRef: string;
  /** Dispatch try of this batch (1 for the first); orders writes across re-queues. */
  dispatchTry: number;
  store: StoreAddress;
  artifactsDir?: string;
  /** File descriptor the reporter writes its JSON-lines events to. */
  eventsFd?: number;
}

export function childEnv(context: ChildContext): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.runId]: context.runId,
    [ENV.executor]: context.executor,
    [ENV.executorRef]: context.executorRef,
    [ENV.dispatch]: String(context.dispatchTry),
    [ENV.table]: context.store.table,
    [ENV.region]: context.store.region,
    [ENV.browserNotices]: 'off',
  };
  if (context.store.endpoint) env[ENV.dynamodbEndpoint] = context.store.endpoint;
  if (context.store.key) env[ENV.dynamodbKey] = JSON.stringify(context.store.key);
  if (context.store.retentionDays) env[ENV.retentionDays] = String(context.store.retentionDays);
  if (context.artifactsDir) env[ENV.artifactsDir] = context.artifactsDir;
  if (context.eventsFd !== undefined) env[ENV.eventsFd] = String(context.eventsFd);
  return env;
}

/** Reads the child's side: undefined when Playwright was started by hand, not by uigate. */
export function readChildContext(env: NodeJS.ProcessEnv = process.env): ChildContext | undefined {
  const runId = env[ENV.runId];
  if (!runId) return undefined;
  return {
    runId,
    executor: (env[ENV.executor] as ExecutorName | undefined) ?? 'local',
    executorRef: env[ENV.executorRef] ?? 'unknown',
    dispatchTry: Number(env[ENV.dispatch] ?? 1) || 1,
    store: {
      endpoint: env[ENV.dynamodbEndpoint] || undefined,
      key: parseKey(env[ENV.dynamodbKey]),
      table: env[ENV.table] ?? 'uigate',
      region: awsRegion(env, env[ENV.region]),
      ...(Number(env[ENV.retentionDays]) > 0 ? { retentionDays: Number(env[ENV.retentionDays]) } : {}),
    },
    artifactsDir: env[ENV.artifactsDir],
    eventsFd: env[ENV.eventsFd] ? Number(env[ENV.eventsFd]) : undefined,
  };
}

/** What the reporter tells the executor, one JSON object per line. */
export type ReporterEvent =
  | { type: 'begin'; total: number }
  | { type: 'unit'; record: UnitRecord }
  /** The record sent just before is now in the store; until this arrives the orchestrator keeps it to write itself. */
  | { type: 'stored'; key: string; seq: number }
  | { type: 'end'; status: string }
  | { type: 'error'; message: string };
