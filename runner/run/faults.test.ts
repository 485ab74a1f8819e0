// Fault injection: what uigate survives, each ending with every unit accounted for exactly once and
// the run's final status right. (A Playwright process killed mid-batch: commands/run.test.ts; the
// Lambda endpoint throttling, crashing and timing out: executors/lambda.test.ts; 5xx: below.)
import { HEARTBEAT_MS, isLost } from '../core/statuses.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { newRunId, type UnitRecord } from '../core/model.ts';
import { listTests } from '../playwright/list.ts';
import { embeddedServer, type EmbeddedServer } from '../store/embedded.ts';
import { connectStore, dynamoClient, openEmbeddedStore } from '../store/open-store.ts';
import { ensureTable } from '../store/table.ts';
import { faultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { fixtureProject, UIGATE_BIN, type FixtureProject } from '../testing/fixture-project.ts';

const SPECS = {
  'steady.spec.ts': `
import { test, expect } from '@playwright/test';
for (const n of [1, 2, 3]) test(\`steady \${n}\`, async ({ page }) => {
  await page.setContent('<p>ok</p>');
  await expect(page.getByText('ok')).toBeVisible();
});
`,
  'zz-hold.spec.ts': `
import { test, expect } from '@playwright/test';
import { writeFileSync } from 'node:fs';
test('holds the first dispatch open', async () => {
  if (process.env.UIGATE_DISPATCH === '1' && process.env.HOLD_MARKER) {
    writeFileSync(process.env.HOLD_MARKER, String(process.pid));
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  expect(1).toBe(1);
});
`,
};

function exactlyOnce(units: UnitRecord[], expected: number) {
  assert.equal(units.length, expected, 'every unit is in the run');
  assert.equal(new Set(units.map((u) => u.key)).size, expected, 'no unit twice');
  for (const unit of units) assert.equal(unit.status, 'passed', `${unit.titlePath.join(' › ')} is ${unit.status}`);
}

describe('fault injection', () => {
  let project: FixtureProject;
  before(async () => {
    project = await fixtureProject(SPECS);
  });
  after(() => project.remove());

  it('finishes a run whose orchestrator was killed mid-run with uigate run --resume', async () => {
    const home = join(project.dir, 'resume');
    const marker = join(project.dir, 'hold.started');
    const child = spawn(process.execPath, [UIGATE_BIN, 'run', '--workers', '1', '--no-serve'], {
      cwd: project.dir,
      env: { ...process.env, UIGATE_HOME: home, HOLD_MARKER: marker },
      stdio: 'ignore',
    });
    for (let i = 0; i < 900 && !existsSync(marker); i++) await sleep(100);
    assert.ok(existsSync(marker), 'the holding test started');
    // The steady units' results travel reporter → orchestrator → store while the hold begins; kill
    // only once they are stored, so the test is about resuming, not about that race.
    {
      const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
      try {
        for (let i = 0; i < 300; i++) {
          const [run] = (await store.listRuns()).items;
          if (run && (await store.getUnits(run.runId)).filter((u) => u.status === 'passed').length === 3) break;
          await sleep(100);
        }
      } finally {
        await store.close();
      }
    }
    child.kill('SIGKILL');
    await new Promise((ok) => child.once('exit', ok));
    // The orphaned Playwright worker would hold the test forever; a dead orchestrator's children die too.
    try {
      process.kill(Number(await readFile(marker, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }

    let runId: string;
    {
      const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
      try {
        const [run] = (await store.listRuns()).items;
        runId = run!.runId;
        assert.equal(run!.status, 'running', 'the run was left running');
        // …but it said when it was last alive, so readers can tell a lost run from a running one.
        assert.ok(run!.heartbeatAt, 'the run carries its heartbeat');
        assert.ok(!isLost(run!, Date.now()), 'just killed: not yet lost');
        assert.ok(isLost(run!, Date.parse(run!.heartbeatAt!) + 4 * HEARTBEAT_MS), 'lost once three beats were missed');
        const before = await store.getUnits(runId);
        assert.equal(before.filter((u) => u.status === 'passed').length, 3, 'the steady units had finished');
      } finally {
        await store.close();
      }
    }

    const resumed = await project.uigate(['run', '--resume', runId, '--no-serve'], { env: { UIGATE_HOME: home } });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /3 results kept, 1 unit\(s\) to run/);

    const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
    try {
      const run = (await store.getRun(runId))!;
      assert.equal(run.status, 'passed');
      assert.equal(run.reason, undefined);
      const units = await store.getUnits(runId);
      exactlyOnce(units, 4);
      const hold = units.find((u) => u.titlePath.at(-1) === 'holds the first dispatch open')!;
      assert.ok(hold.seq >= 2000, `run above the dead orchestrator's try (seq ${hold.seq})`);
      for (const unit of units.filter((u) => u !== hold)) assert.ok(unit.seq < 2000, 'kept results were not run again');
      assert.ok((await store.listEvents(runId)).some((e) => e.type === 'resumed'));
      const again = await project.uigate(['run', '--resume', runId, '--no-serve'], { env: { UIGATE_HOME: home } });
      assert.equal(again.code, 0);
      assert.match(again.stdout, /nothing to resume/);
    } finally {
      await store.close();
    }
  });

  it("resumes with the Playwright config's workers, as a fresh run would, and runs whole pieces", async () => {
    // Two workers in the config; half of this machine's cores is what --resume used to take instead.
    const suite = await fixtureProject(
      {
        'one.spec.ts': `import { test } from '@playwright/test';\ntest('one a', () => {});\ntest('one b', () => {});\n`,
        'two.spec.ts': `import { test } from '@playwright/test';\ntest('two', () => {});\n`,
      },
      { config: 'workers: 2,' },
    );
    try {
      const home = join(suite.dir, '.uigate');
      const { units, listing } = await listTests({
        cwd: suite.dir,
        playwrightConfig: join(suite.dir, 'playwright.config.ts'),
      });
      assert.equal(listing.workers, 2);
      const runId = newRunId();
      const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
      try {
        // An orchestrator that died after recording one unit of one.spec.ts: its file (one piece) runs again whole.
        await store.createRun({
          runId,
          status: 'running',
          trigger: 'test',
          projects: ['chromium'],
          modules: ['one', 'two'],
          executors: ['local'],
          total: 3,
          counts: { queued: 3 },
          startedAt: new Date().toISOString(),
        });
        await store.queueUnits(runId, units, { fresh: true });
        const oneA = units.find((unit) => unit.titlePath[0] === 'one a')!;
        await store.recordUnit({ ...oneA, runId, status: 'passed', seq: 1000, attempt: 1 });
      } finally {
        await store.close();
      }
      const resumed = await suite.uigate(['run', '--resume', runId, '--no-serve'], { env: { UIGATE_HOME: home } });
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      assert.match(resumed.stdout, /0 results kept, 3 unit\(s\) to run \(1 already finished, again with its group\)/);
      assert.match(resumed.stdout, /3 units \(chromium 3\) in 2 modules, \d+ pieces? on local ×\d/);
    } finally {
      await suite.remove();
    }
  });

  describe('with DynamoDB throttling writes (ProvisionedThroughputExceededException in front of dynalite)', () => {
    let dynalite: EmbeddedServer;
    let proxy: FaultProxy;
    let throttled = 0;
    let writes = 0;

    before(async () => {
      dynalite = await embeddedServer(join(project.dir, 'throttle-db'));
      const client = dynamoClient(dynalite.endpoint, 'us-east-1', dynalite.key);
      await ensureTable(client, 'uigate');
      client.destroy();
      // Every other write is refused the way DynamoDB refuses one: HTTP 400, the exception's type.
      proxy = await faultProxy(dynalite.endpoint, (req) => {
        if (!/PutItem|UpdateItem|BatchWriteItem/.test(String(req.headers['x-amz-target'] ?? '')) || writes++ % 2 !== 0)
          return undefined;
        throttled++;
        return {
          status: 400,
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `throttle-${throttled}` },
          body: JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          }),
        };
      });
    });
    after(async () => {
      await proxy?.close();
      await dynalite?.stop();
    });

    it('waits out the throttling: every result written once, the run passed', async () => {
      const endpoint = proxy.url;
      const result = await project.uigate(['run', '--no-serve', '--json'], {
        env: {
          UIGATE_HOME: join(project.dir, 'throttle-home'),
          UIGATE_DYNAMODB_ENDPOINT: endpoint,
          UIGATE_DYNAMODB_KEY: JSON.stringify(dynalite.key),
        },
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.ok(throttled >= 5, `throttled ${throttled} writes`);
      const runId = JSON.parse(result.stdout).runId as string;
      const store = connectStore({
        endpoint: dynalite.endpoint,
        key: dynalite.key,
        table: 'uigate',
        region: 'us-east-1',
      });
      try {
        assert.equal((await store.getRun(runId))!.status, 'passed');
        exactlyOnce(await store.getUnits(runId), 4);
      } finally {
        await store.close();
      }
    });
  });
});
