// A reminder for an approval left waiting: on a schedule, CodePipeline's own view of the approval
// action (GetPipelineState) says whether it still waits and since when; every `everyMs` of waiting
// the team hears about it once more (one key per execution and interval, written once), with the
// run, its counts and where to decide.
import { GetPipelineStateCommand, type CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { RunMeta } from '../core/model.ts';
import type { RunNotification } from '../notify/notification.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { PipelineLog } from '../store/pipeline-log.ts';
import type { ResultStore } from '../store/result-store.ts';

export interface ReminderSettings {
  pipeline: string;
  stage: string;
  action: string;
  everyMs: number;
  statusUrl?: string;
}

export interface ReminderDeps {
  codepipeline: CodePipelineClient;
  log: PipelineLog;
  store: ResultStore;
  notifier: Notifier;
  settings: ReminderSettings;
  now?: () => number;
}

/** Reminds of the approval if it has waited another interval; the reminder sent, if any. */
export async function remindApproval(deps: ReminderDeps): Promise<RunNotification | undefined> {
  const { settings } = deps;
  const state = await deps.codepipeline.send(new GetPipelineStateCommand({ name: settings.pipeline }));
  const stage = state.stageStates?.find((s) => s.stageName === settings.stage);
  const waiting = stage?.actionStates?.find((a) => a.actionName === settings.action)?.latestExecution;
  const executionId = stage?.latestExecution?.pipelineExecutionId;
  if (waiting?.status !== 'InProgress' || !waiting.lastStatusChange || !executionId) return undefined;
  const waitedMs = (deps.now ?? Date.now)() - waiting.lastStatusChange.getTime();
  const intervals = Math.floor(waitedMs / settings.everyMs);
  if (intervals < 1) return undefined;
  const run = await runOf(deps.store, executionId);
  if (!run || !(await deps.log.once(settings.pipeline, `remind#${executionId}#${intervals}`))) return undefined;
  const reminder: RunNotification = {
    kind: 'approval-reminder',
    run,
    waitedMs,
    ...(settings.statusUrl ? { link: `${settings.statusUrl.replace(/\/$/, '')}/runs/${run.runId}` } : {}),
  };
  await deps.notifier.notify(reminder);
  return reminder;
}

async function runOf(store: ResultStore, executionId: string): Promise<RunMeta | undefined> {
  const { items } = await store.listRuns({ limit: 100 });
  return items.find((run) => run.pipelineExecutionId === executionId);
}
