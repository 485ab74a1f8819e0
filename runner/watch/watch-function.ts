// The watcher function: the target of an EventBridge rule on the pipeline's execution and stage
// state changes, and of a schedule that tells what quiet executions let be told and reminds of
// approvals left waiting. Its settings come from UIGATE_WATCH
// (the CDK construct writes them: the stages in order, their roles). A message it cannot send
// fails the invocation, so Lambda's retries of an asynchronous invocation send it again.
import { randomUUID } from 'node:crypto';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SNSClient } from '@aws-sdk/client-sns';
import { configFromEnv } from '../config/config.ts';
import { ENV } from '../core/env.ts';
import { SnsNotifier } from '../notify/sns.ts';
import { connectStore } from '../store/open-store.ts';
import { remindApproval, type ReminderDeps } from './approval-reminder.ts';
import { CodePipelineFacts } from './execution-facts.ts';
import { sweepQuiet, watchEvent, type WatchDeps, type WatchSettings } from './watcher.ts';

export interface WatchFunctionSettings extends WatchSettings {
  /** The branch the source follows. */
  branch?: string;
  /** The manual approval to remind of, and how often. */
  reminder?: { stage: string; action: string; everyMinutes: number };
}

/** Reads UIGATE_WATCH, or says in one line what is wrong with it. */
export function watchSettings(raw: string | undefined): WatchFunctionSettings {
  const parsed = JSON.parse(raw ?? 'null') as Partial<WatchFunctionSettings> | null;
  if (!parsed?.pipeline || !Array.isArray(parsed.stages) || !parsed.stages.length)
    throw new Error(`${ENV.watch} must be JSON with "pipeline" and "stages" (the CDK construct writes it)`);
  return parsed as WatchFunctionSettings;
}

interface Deps {
  watch: Omit<WatchDeps, 'holder'>;
  reminder?: ReminderDeps;
}

let deps: Deps | undefined;

function depsFromEnv(): Deps {
  const config = configFromEnv();
  const settings = watchSettings(process.env[ENV.watch]);
  if (!config.notify.snsTopicArn) throw new Error(`the watcher has no topic: set ${ENV.snsTopic}`);
  const store = connectStore(config.store);
  const codepipeline = new CodePipelineClient({});
  const notifier = new SnsNotifier(new SNSClient({}), config.notify.snsTopicArn);
  const log = store.pipelineLog();
  const statusUrl = config.notify.statusUrl;
  return {
    watch: {
      log,
      store,
      notifier,
      facts: new CodePipelineFacts(codepipeline, settings.pipeline, settings.branch),
      settings: { ...settings, region: settings.region ?? process.env.AWS_REGION, statusUrl },
      warn: (line) => console.warn(line),
    },
    ...(settings.reminder
      ? {
          reminder: {
            codepipeline,
            log,
            store,
            notifier,
            settings: {
              pipeline: settings.pipeline,
              stage: settings.reminder.stage,
              action: settings.reminder.action,
              everyMs: settings.reminder.everyMinutes * 60_000,
              statusUrl,
            },
          },
        }
      : {}),
  };
}

export async function handler(event: { source?: string; 'detail-type'?: string }): Promise<unknown> {
  deps ??= depsFromEnv();
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') {
    const swept = await sweepQuiet({ ...deps.watch, holder: randomUUID() });
    const reminded = deps.reminder ? await remindApproval(deps.reminder) : undefined;
    return { swept: swept.map((n) => n.kind), reminded: reminded?.run.runId ?? null };
  }
  const outcome = await watchEvent(event, { ...deps.watch, holder: randomUUID() });
  if ('ignored' in outcome) console.warn(`ignored: ${outcome.ignored}`);
  else console.log(JSON.stringify({ told: outcome.told.map((n) => n.kind) }));
  return 'ignored' in outcome ? outcome : { told: outcome.told.map((n) => n.kind) };
}
