// The pipeline watcher, fed CodePipeline's events as EventBridge delivers them — every event twice,
// in a shuffled order, one after another and some at once — tells one message per transition, in
// the pipeline's order, with expected finishes from the executions before. The events are in the
// documented shape (recorded/README.md); CodePipeline's answers are mocks checked against
// botocore's model; the store is the embedded DynamoDB.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { pipelineFinishAfterRun } from '../notify/expected-finish.ts';
import type { Notification, PipelineNotification } from '../notify/notification.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { checkRequests } from '../testing/botocore-model.ts';
import { runMeta } from '../testing/run-meta.ts';
import { CodePipelineFacts } from './execution-facts.ts';
import { QUIET_MS } from './transitions.ts';
import { sweepQuiet, watchEvent, type WatchDeps } from './watcher.ts';

const STAGES = ['Source', 'Build', 'Test', 'Approval', 'Production'];
const recorded = async (name: string) =>
  JSON.parse(await readFile(new URL(`./recorded/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>[];

/** A seeded shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const latest = (events: Record<string, unknown>[]) => Math.max(...events.map((e) => Date.parse(String(e.time))));

describe('the pipeline watcher', () => {
  let dir: string;
  let store: DynamoStore;
  const codepipeline = mockClient(CodePipelineClient);
  afterEach(checkRequests(codepipeline, 'codepipeline'));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-watch-'));
    store = (await openEmbeddedStore(join(dir, 'dynamodb'))).store as DynamoStore;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function deps(told: Notification[], now: number, holder: string): WatchDeps {
    return {
      log: store.pipelineLog(),
      store,
      facts: new CodePipelineFacts(new CodePipelineClient({ region: 'eu-west-1' }), 'shop-release', 'main'),
      notifier: { notify: async (n) => void told.push(n) },
      settings: {
        pipeline: 'shop-release',
        stages: STAGES,
        testStage: 'Test',
        deployStage: 'Production',
        approvalStage: 'Approval',
        region: 'eu-west-1',
        statusUrl: 'https://status.example.com',
      },
      now: () => now,
      holder,
      leaseWaitMs: 10_000,
    };
  }

  /** Every event twice, shuffled; in waves of three delivered at once, as concurrent invocations. */
  async function deliver(events: Record<string, unknown>[], seed: number): Promise<PipelineNotification[]> {
    const told: Notification[] = [];
    const now = latest(events) + 1_000;
    const order = shuffled([...events, ...events], seed);
    for (let i = 0; i < order.length; i += 3)
      await Promise.all(
        order.slice(i, i + 3).map((event, j) => watchEvent(event, deps(told, now, `invocation-${i + j}`))),
      );
    return told as PipelineNotification[];
  }

  /** CodePipeline's view of each execution: the commit its STARTED event names. */
  const commits = new Map<string, Record<string, string>>();
  before(async () => {
    for (const name of ['succeeded-1', 'succeeded-2', 'failed-in-test']) {
      const detail = (await recorded(name))[0]!.detail as Record<string, unknown>;
      commits.set(String(detail['execution-id']).slice(0, 30), detail['execution-trigger'] as Record<string, string>);
    }
  });
  codepipeline.on(GetPipelineExecutionCommand).callsFake((input: { pipelineExecutionId: string }) => ({
    pipelineExecution: {
      pipelineName: 'shop-release',
      pipelineExecutionId: input.pipelineExecutionId,
      status: 'InProgress',
      artifactRevisions: [
        {
          name: 'Source',
          revisionId: commits.get(input.pipelineExecutionId.slice(0, 30))!['commit-id'],
          revisionSummary: JSON.stringify({
            ProviderType: 'GitHub',
            CommitMessage: commits.get(input.pipelineExecutionId.slice(0, 30))!['commit-message'],
          }),
        },
      ],
      trigger: {
        triggerType: 'WebhookV2',
        triggerDetail: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/x',
      },
    },
  }));
  codepipeline.on(ListActionExecutionsCommand).resolves({
    actionExecutionDetails: [
      {
        pipelineExecutionId: '3f0c7d52-1b9e-4a53-8e0f-6a2d9c1b7e44',
        stageName: 'Test',
        actionName: 'UiTests',
        status: 'Failed',
        output: { executionResult: { externalExecutionSummary: 'Build terminated with state: FAILED' } },
      },
    ],
  });

  it('tells each transition of a succeeded execution once and in order, however the events arrive', async () => {
    const told = await deliver(await recorded('succeeded-1'), 7);
    assert.deepEqual(
      told.map((n) => [n.kind, n.pipeline.finished ?? null, n.pipeline.starting ?? null]),
      [
        ['pipeline-started', null, 'Source'],
        ['stage-changed', 'Source', 'Build'],
        ['stage-changed', 'Build', 'Test'],
        ['stage-changed', 'Test', 'Approval'],
        ['stage-changed', 'Approval', 'Production'],
        ['pipeline-succeeded', null, null],
      ],
    );
    assert.ok(
      told.every((n) => n.expectedFinishAt === undefined),
      'no history yet: no promise',
    );
    assert.equal(told[0]!.pipeline.trigger, 'a push to main');
    assert.ok(told.every((n) => n.pipeline.commitMessage === 'Checkout: pay with a saved card (#412)'));
    assert.ok(told.every((n) => n.pipeline.commit === '9f1c2ab34d5e6f708192a3b4c5d6e7f8091a2b3c'));
    assert.equal(told[0]!.pipeline.repository, 'example/shop');
    assert.equal(told.at(-1)!.pipeline.at, '2026-12-07T08:45:10.000Z');
    assert.match(told.at(-1)!.pipeline.consoleUrl!, /pipelines\/shop-release\/executions\/0b6c1d2e-/);
  });

  it('says nothing more when the same events come again', async () => {
    assert.deepEqual(await deliver(await recorded('succeeded-1'), 99), []);
  });

  it('tells a failed execution with the expected finish from the executions before, and why it failed', async () => {
    await deliver(await recorded('succeeded-2'), 3);
    // What the Test stage's run reads when it starts: its own expected end, then Approval and Production's medians.
    const history = await store.pipelineLog().history('shop-release', 10);
    assert.equal(pipelineFinishAfterRun('2026-12-07T12:10:00.000Z', history), '2026-12-07T12:40:00.000Z');
    await store.createRun(
      runMeta('20261207T120500000Z-fail', {
        status: 'failed',
        pipelineExecutionId: '3f0c7d52-1b9e-4a53-8e0f-6a2d9c1b7e44',
        branch: 'main',
        total: 2,
        counts: { passed: 1, failed: 1 },
      }),
    );
    for (const seed of [1, 2, 5]) {
      const events = (await recorded('failed-in-test')).map((e): Record<string, unknown> => ({
        ...e,
        id: `${String(e.id)}-${seed}`,
        detail: { ...(e.detail as object) },
      }));
      const execution = `3f0c7d52-1b9e-4a53-8e0f-6a2d9c1b7e4${seed}`;
      for (const e of events) (e.detail as Record<string, unknown>)['execution-id'] = execution;
      await store.updateRun('20261207T120500000Z-fail', { pipelineExecutionId: execution });
      const told = await deliver(events, seed);
      // Medians of the two succeeded executions: Source 5s, Build 270s, Test 540s, Approval 840s, Production 960s.
      assert.deepEqual(
        told.map((n) => [n.kind, n.pipeline.starting ?? n.pipeline.endedIn, n.expectedFinishAt ?? null]),
        [
          ['pipeline-started', 'Source', '2026-12-07T12:43:35.000Z'],
          ['stage-changed', 'Build', '2026-12-07T12:43:37.000Z'],
          ['stage-changed', 'Test', '2026-12-07T12:43:48.000Z'],
          ['pipeline-failed', 'Test', null],
        ],
        `seed ${seed}`,
      );
      const failed = told.at(-1)!;
      assert.match(failed.reason!, /^tests failed: /);
      assert.equal(failed.run?.runId, '20261207T120500000Z-fail');
      assert.equal(failed.link, 'https://status.example.com/runs/20261207T120500000Z-fail');
    }
  });

  it('tells the end of an execution whose failed stage never said so, once it has been quiet, on the schedule', async () => {
    const execution = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const events = (await recorded('failed-in-test'))
      .map((e): Record<string, unknown> => ({
        ...e,
        id: `${String(e.id)}-lost`,
        detail: { ...(e.detail as object), 'execution-id': execution },
      }))
      .filter(
        (e) =>
          !(
            (e.detail as { stage?: string; state: string }).stage === 'Test' &&
            (e.detail as { state: string }).state === 'FAILED'
          ),
      );
    const told = await deliver(events, 11);
    assert.deepEqual(
      told.map((n) => n.kind),
      ['pipeline-started', 'stage-changed', 'stage-changed'],
      'the FAILED waits for its stage',
    );
    const later: Notification[] = [];
    const quiet = deps(later, latest(events) + 1_000 + QUIET_MS, 'schedule');
    const swept = await sweepQuiet(quiet);
    assert.deepEqual(
      swept.map((n) => [n.kind, n.pipeline.endedIn]),
      [['pipeline-failed', 'Test']],
    );
    assert.deepEqual(await sweepQuiet(quiet), [], 'told once; the execution is closed');
    const open = await store.pipelineLog().open('shop-release');
    assert.ok(!open.some((o) => o.executionId === execution), JSON.stringify(open));
  });

  it('ignores other pipelines and events that are not CodePipeline state changes', async () => {
    const told: Notification[] = [];
    const [started] = await recorded('succeeded-1');
    const other = { ...started!, detail: { ...(started!.detail as object), pipeline: 'another' } };
    assert.match(
      String(((await watchEvent(other, deps(told, Date.now(), 'x'))) as { ignored: string }).ignored),
      /another/,
    );
    assert.ok('ignored' in (await watchEvent({ source: 'aws.s3' }, deps(told, Date.now(), 'x'))));
    assert.deepEqual(told, []);
  });
});
