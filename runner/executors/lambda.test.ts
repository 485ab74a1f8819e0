import assert from 'node:assert/strict';
import { faultProxy } from '../testing/fault-proxy.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispatch } from '../run/dispatch.ts';
import { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from '../lambda/local-endpoint.ts';
import { listTests } from '../playwright/list.ts';
import { newRunId, type UnitRecord, type UnitRef } from '../core/model.ts';
import { exactQueue } from '../plan/queue.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import type { SigningKey } from '../aws/sigv4-check.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { backoffMs } from '../aws/backoff.ts';
import { LambdaExecutor } from './lambda.ts';

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Kills the Lambda execution environment running this test: worker → Playwright → environment.
const KILL_ENVIRONMENT = `
import { readFileSync } from 'node:fs';
const killEnvironment = () => {
  const stat = readFileSync('/proc/' + process.ppid + '/stat', 'utf8');
  const environment = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  process.kill(environment, 'SIGKILL');
};
`;

describe('the Lambda executor against the local Invoke endpoint', () => {
  let project: FixtureProject;
  let dir: string;
  let store: DynamoStore;
  let storeEndpoint: string;
  let storeKey: SigningKey;
  const endpoints: LocalEndpoint[] = [];

  before(async () => {
    project = await fixtureProject(
      {
        'quick.spec.ts': `
import { test, expect } from '@playwright/test';
// Each test a group of its own, so they can go out in several batches.
test.describe.configure({ mode: 'parallel' });
for (const n of [1, 2, 3]) {
  test('quick ' + n, async ({ page }) => {
    await page.setContent('<p>' + n + '</p>');
    await expect(page.getByText(String(n))).toBeVisible();
  });
}
`,
        'crash.spec.ts': `
import { test, expect } from '@playwright/test';
${KILL_ENVIRONMENT}
test('a before the crash', async () => { expect(1).toBe(1); });
test('b crashes the environment on the first dispatch', async () => {
  // Give the reporter a moment to store the first test's result: a crash loses only what was running.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (process.env.UIGATE_DISPATCH === '1') {
    killEnvironment();
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
  expect(process.env.UIGATE_DISPATCH).not.toBe('1');
});
`,
        'always.spec.ts': `
import { test } from '@playwright/test';
${KILL_ENVIRONMENT}
test('crashes the environment every time', async () => {
  killEnvironment();
  await new Promise((resolve) => setTimeout(resolve, 30_000));
});
`,
        'slow.spec.ts': `
import { test, expect } from '@playwright/test';
test('outlives the function timeout on the first dispatch', async () => {
  test.setTimeout(90_000);
  if (process.env.UIGATE_DISPATCH === '1') await new Promise((resolve) => setTimeout(resolve, 60_000));
  expect(process.env.UIGATE_DISPATCH).not.toBe('1');
});
`,
      },
      { projects: ['chromium', 'firefox'] },
    );
    dir = await mkdtemp(join(tmpdir(), 'uigate-lambda-'));
    ({
      store,
      endpoint: storeEndpoint,
      key: storeKey,
    } = (await openEmbeddedStore(join(dir, 'dynamodb'))) as { store: DynamoStore; endpoint: string; key: SigningKey });
  });
  after(async () => {
    for (const endpoint of endpoints) await endpoint.close();
    await store.close();
    await project.remove();
    await rm(dir, { recursive: true, force: true });
  });

  async function endpoint(options: Partial<LocalEndpointOptions> = {}) {
    const started = await startLocalEndpoint({
      functionName: 'uigate-executor',
      concurrency: 4,
      timeoutSeconds: 120,
      taskRoot: project.dir,
      ...options,
    });
    endpoints.push(started);
    return started;
  }

  async function units(module: string, project_ = 'chromium'): Promise<UnitRef[]> {
    const { units: all } = await listTests({
      cwd: project.dir,
      playwrightConfig: join(project.dir, 'playwright.config.ts'),
    });
    return all.filter((unit) => unit.module === module && unit.project === project_);
  }

  /** Dispatches the units to a Lambda executor on the endpoint; returns what the store holds after. */
  async function run(
    endpointUrl: string,
    chosen: UnitRef[],
    options: { slots?: number; concurrency?: number; infraRetries?: number } = {},
  ) {
    const runId = newRunId();
    await store.queueUnits(runId, chosen);
    const executor = new LambdaExecutor({
      functionName: 'uigate-executor',
      region: 'us-east-1',
      endpoint: endpointUrl,
      concurrency: options.concurrency ?? 2,
      invocationTimeoutMs: 180_000,
      store: { table: 'uigate', region: 'us-east-1', endpoint: storeEndpoint, key: storeKey },
      artifacts: { dir: join(dir, 'artifacts') },
      results: store,
      // Enough tries to outlast any queue on a loaded machine: the test is about retrying, not how long it takes.
      throttle: { baseMs: 50, capMs: 500, maxTries: 400 },
    });
    const notes: string[] = [];
    const result = await dispatch({
      runId,
      queues: new Map([
        ['lambda', exactQueue(chosen, () => 1000, { executor: 'lambda', slots: options.slots ?? 1, startMs: 0 })],
      ]),
      executors: new Map([['lambda', executor]]),
      store,
      infraRetries: options.infraRetries ?? 2,
      batchTimeoutMs: 300_000,
      signal: new AbortController().signal,
      onRequeue: (requeued, error, next) => notes.push(`requeue ${requeued.length} try ${next}: ${error.message}`),
    });
    executor.close();
    const stored = await store.getUnits(runId);
    const byTitle = Object.fromEntries(stored.map((unit) => [unit.titlePath.at(-1)!, unit])) as Record<
      string,
      UnitRecord
    >;
    return { stored, byTitle, notes, result };
  }

  it('runs batches through Invoke and stores each unit with executor lambda and its request id', async () => {
    const lambda = await endpoint();
    const { stored, result } = await run(lambda.url, await units('quick'), { slots: 2 });
    assert.equal(stored.length, 3);
    assert.equal(result.errored.size, 0);
    for (const unit of stored) {
      assert.equal(unit.status, 'passed');
      assert.equal(unit.executor, 'lambda');
      assert.match(unit.executorRef ?? '', REQUEST_ID);
    }
    assert.equal(new Set(stored.map((u) => u.executorRef)).size, 2, 'two batches, two invocations');
  });

  it('backs off and retries a throttled invocation until it gets through', async () => {
    const lambda = await endpoint({ concurrency: 1 });
    const { stored, notes } = await run(lambda.url, await units('quick'), { slots: 3, concurrency: 3 });
    assert.ok(lambda.stats.throttled > 0, 'the endpoint throttled some invocations');
    assert.deepEqual(
      stored.map((u) => u.status),
      ['passed', 'passed', 'passed'],
      [...notes, ...stored.map((u) => u.error?.message ?? '')].join('\n'),
    );
    assert.equal(lambda.stats.invocations, 3, 'each batch ran exactly once');
  });

  it('rides out the Lambda service failing with 5xx: every unit run once and stored once', async () => {
    const lambda = await endpoint();
    let failed = 0;
    // The first invocations hit a Lambda front end having a bad day: 500 ServiceException, 502.
    const flaky = await faultProxy(lambda.url, () => {
      if (failed >= 3) return undefined;
      failed++;
      return {
        status: failed === 2 ? 502 : 500,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' },
        body: JSON.stringify({ Type: 'Service', message: 'Service unavailable, try again' }),
      };
    });
    try {
      const { stored, result } = await run(flaky.url, await units('quick'));
      assert.equal(failed, 3);
      assert.equal(result.errored.size, 0);
      assert.deepEqual(
        stored.map((u) => u.status),
        ['passed', 'passed', 'passed'],
      );
      assert.equal(new Set(stored.map((u) => u.key)).size, 3);
      assert.equal(lambda.stats.invocations, 1, 'the batch ran once, after the failures');
    } finally {
      await flaky.close();
    }
  });

  it("re-queues a crashed environment's unfinished units, keeping what it finished", async () => {
    const lambda = await endpoint();
    const { byTitle, notes, stored } = await run(lambda.url, await units('crash'));
    assert.equal(stored.length, 2);
    assert.match(
      notes.join('\n'),
      /requeue 1 try 2: Lambda \S+: Runtime\.ExitError: RequestId: \S+ Error: Runtime exited with error: signal: killed/,
    );
    const first = byTitle['a before the crash']!;
    const second = byTitle['b crashes the environment on the first dispatch']!;
    assert.equal(first.status, 'passed');
    assert.equal(second.status, 'passed');
    assert.notEqual(first.executorRef, second.executorRef, 'the finished unit was not run again');
    assert.ok(second.seq >= 2000, 'the second unit passed on the second dispatch');
  });

  it('re-queues the units of an invocation that runs past the function timeout', async () => {
    // Long enough for a cold start on a loaded machine, far shorter than the test's first try.
    const lambda = await endpoint({ timeoutSeconds: 15, env: { UIGATE_STOP_MARGIN_SECONDS: '0' } });
    const { stored, notes } = await run(lambda.url, await units('slow'));
    assert.match(notes[0] ?? '', /Sandbox\.Timedout: RequestId: \S+ Error: Task timed out after 15\.00 seconds/);
    assert.deepEqual(
      stored.map((u) => [u.status, u.executor]),
      [['passed', 'lambda']],
    );
  });

  it('records units as errored, not failed, once their environment kept crashing', async () => {
    const lambda = await endpoint();
    const { stored, result } = await run(lambda.url, await units('always'), { infraRetries: 1 });
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.status, 'errored');
    assert.match(stored[0]!.error!.message, /Runtime\.ExitError.*\(gave up after 2 tries\)/);
    assert.equal(result.errored.size, 1);
    assert.equal(lambda.stats.functionErrors, 2);
  });

  it('gives up at once on a batch the handler rejects as malformed', async () => {
    const lambda = await endpoint();
    // Units naming a file outside testDir, made by hand: the handler refuses them; sending them again would not help.
    const outside = (await units('quick')).map((unit) => ({ ...unit, file: `../${unit.file}` }));
    const { stored, notes } = await run(lambda.url, outside);
    assert.deepEqual(notes, []);
    assert.ok(stored.every((unit) => unit.status === 'errored'));
    assert.match(
      stored[0]!.error!.message,
      /MalformedEvent: malformed event: units\.0\.file: must be relative to testDir/,
    );
  });

  it('runs chromium on Lambda and firefox locally in one run (--executor lambda --executor local)', async () => {
    const lambda = await endpoint();
    const home = join(dir, 'mixed-home');
    const result = await project.uigate(
      [
        'run',
        '--module',
        'quick',
        '--executor',
        'lambda',
        '--executor',
        'local',
        '--lambda-endpoint',
        lambda.url,
        '--json',
      ],
      { env: { UIGATE_HOME: home } },
    );
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.deepEqual(summary.executors, { lambda: { passed: 3 }, local: { passed: 3 } });
    const { store: mixed } = await openEmbeddedStore(join(home, 'dynamodb'));
    try {
      const stored = await mixed.getUnits(summary.runId);
      for (const unit of stored) assert.equal(unit.executor, unit.project === 'chromium' ? 'lambda' : 'local');
      assert.ok(stored.filter((u) => u.executor === 'lambda').every((u) => REQUEST_ID.test(u.executorRef ?? '')));
    } finally {
      await mixed.close();
    }
  });

  it('refuses --executor lambda alone for a project Lambda cannot run', async () => {
    const result = await project.uigate(
      ['run', '--module', 'quick', '--executor', 'lambda', '--lambda-endpoint', 'http://127.0.0.1:9'],
      { env: { UIGATE_HOME: join(dir, 'refused') } },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /project firefox cannot run on lambda; add --executor local/);
  });
});

describe('backoffMs', () => {
  it('grows exponentially with full jitter, capped', () => {
    assert.equal(
      backoffMs(0, 100, 10_000, () => 0.999),
      99,
    );
    assert.equal(
      backoffMs(3, 100, 10_000, () => 0.5),
      400,
    );
    assert.equal(
      backoffMs(20, 100, 10_000, () => 0.999),
      9990,
    );
    assert.equal(
      backoffMs(5, 100, 10_000, () => 0),
      0,
    );
  });
});
