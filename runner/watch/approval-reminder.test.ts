// Reminders of an approval left waiting: CodePipeline's own view of the approval action (a mock
// checked against botocore's model) says since when it waits; one reminder per interval waited,
// however often the schedule looks, naming the run and where to decide.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CodePipelineClient, GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import type { Notification } from '../notify/notification.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { checkRequests } from '../testing/botocore-model.ts';
import { runMeta } from '../testing/run-meta.ts';
import { remindApproval, type ReminderDeps } from './approval-reminder.ts';

const EXECUTION = '3f0c7d52-1b9e-4a53-8e0f-6a2d9c1b7e44';
const WAITING_SINCE = Date.parse('2026-12-07T10:00:00Z');
const HOUR = 3_600_000;

describe('approval reminders', () => {
  let dir: string;
  let store: DynamoStore;
  const codepipeline = mockClient(CodePipelineClient);
  afterEach(checkRequests(codepipeline, 'codepipeline'));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-remind-'));
    store = (await openEmbeddedStore(join(dir, 'dynamodb'))).store as DynamoStore;
    await store.createRun(
      runMeta('20261207T093000000Z-wait', { status: 'passed', pipelineExecutionId: EXECUTION, counts: { passed: 1 } }),
    );
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const waiting = (status: 'InProgress' | 'Succeeded') =>
    codepipeline.on(GetPipelineStateCommand).resolves({
      pipelineName: 'shop-release',
      stageStates: [
        {
          stageName: 'Approval',
          latestExecution: { pipelineExecutionId: EXECUTION, status: 'InProgress' },
          actionStates: [
            { actionName: 'Approve', latestExecution: { status, lastStatusChange: new Date(WAITING_SINCE) } },
          ],
        },
      ],
    });

  const remind = (told: Notification[], at: number) => {
    const deps: ReminderDeps = {
      codepipeline: new CodePipelineClient({ region: 'eu-west-1' }),
      log: store.pipelineLog(),
      store,
      notifier: { notify: async (n) => void told.push(n) },
      settings: {
        pipeline: 'shop-release',
        stage: 'Approval',
        action: 'Approve',
        everyMs: HOUR,
        statusUrl: 'https://status.example.com',
      },
      now: () => at,
    };
    return remindApproval(deps);
  };

  it('reminds once per interval waited, however often it looks', async () => {
    waiting('InProgress');
    const told: Notification[] = [];
    for (const minutes of [30, 66, 90, 114, 132]) await remind(told, WAITING_SINCE + minutes * 60_000);
    assert.deepEqual(
      told.map((n) => [n.kind, 'waitedMs' in n ? n.waitedMs : undefined]),
      [
        ['approval-reminder', 66 * 60_000],
        ['approval-reminder', 132 * 60_000],
      ],
    );
    assert.equal('run' in told[0]! && told[0].run?.runId, '20261207T093000000Z-wait');
    assert.equal(told[0]!.link, 'https://status.example.com/runs/20261207T093000000Z-wait');
  });

  it('says nothing once the approval is decided', async () => {
    waiting('Succeeded');
    const told: Notification[] = [];
    await remind(told, WAITING_SINCE + 5 * HOUR);
    assert.deepEqual(told, []);
  });
});
