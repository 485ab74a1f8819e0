import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTests } from '../playwright/list.ts';
import { newRunId, type UnitRef } from '../core/model.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import type { SigningKey } from '../aws/sigv4-check.ts';
import { fixtureProject, REPO, type FixtureProject } from '../testing/fixture-project.ts';
import { localS3, type LocalS3 } from '../testing/s3.ts';
import { packTestBundle } from '../executors/test-bundle.ts';
import type { BatchEvent } from './event.ts';
import { publishBundle } from './test-source.ts';
import { handler } from './handler.ts';

describe('the Lambda handler, run for real with @sparticuz/chromium', () => {
  let dir: string;
  let store: DynamoStore;
  let endpoint: string;
  let key: SigningKey | undefined;
  let s3: LocalS3;
  let project: FixtureProject;
  const previous = { ...process.env };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-handler-'));
    ({ store, endpoint, key } = (await openEmbeddedStore(join(dir, 'dynamodb'))) as {
      store: DynamoStore;
      endpoint: string;
      key: SigningKey;
    });
    s3 = await localS3();
    project = await fixtureProject({
      'broken.spec.ts': `
import { test, expect } from '@playwright/test';
test('finds a button that is not there', async ({ page }) => {
  await page.setContent('<button>Save</button>');
  await expect(page.getByRole('button', { name: 'Submit' })).toBeVisible({ timeout: 300 });
});
`,
    });
    process.env.UIGATE_TMP = join(dir, 'tmp');
  });
  after(async () => {
    process.env = previous;
    await store.close();
    await s3.close();
    await project.remove();
    await rm(dir, { recursive: true, force: true });
  });

  async function eventFor(units: UnitRef[], artifacts: BatchEvent['artifacts']): Promise<BatchEvent> {
    const runId = newRunId();
    await store.queueUnits(runId, units);
    return {
      runId,
      batchId: 'lambda-001',
      dispatch: 1,
      browser: 'chromium',
      units,
      store: { table: 'uigate', region: 'us-east-1', endpoint, key },
      artifacts,
    };
  }

  it('answers the doctor’s probe by starting Chromium and opening a page, running nothing', async () => {
    const response = await handler({ probe: 'chromium' }, { awsRequestId: 'req-probe' });
    assert.equal(response.ok, true, JSON.stringify(response));
    assert.equal(response.requestId, 'req-probe');
    assert.match(response.ok ? response.browserVersion : '', /^\d+\.\d+\.\d+\.\d+$/);
    // Anything more than the probe is a batch event, held to the strict schema.
    const batchLike = await handler({ probe: 'chromium', runId: 'x' }, { awsRequestId: 'req-not-probe' });
    assert.equal(batchLike.ok, false);
    assert.match(batchLike.ok ? '' : batchLike.error.message, /malformed event/);
  });

  it('runs exactly the units of the event and records them as executed by Lambda', async () => {
    const { units } = await listTests({ cwd: REPO, playwrightConfig: join(REPO, 'playwright.config.ts') });
    const chosen = units.filter(
      (unit) => unit.project === 'chromium' && (unit.module === 'button' || unit.module === 'images'),
    );
    process.env.UIGATE_TASK_ROOT = REPO;
    const event = await eventFor(chosen, { dir: join(dir, 'artifacts') });
    const response = await handler(event, { awsRequestId: 'req-sample-1', getRemainingTimeInMillis: () => 300_000 });
    assert.ok(response.ok, JSON.stringify(response).slice(0, 2000));
    assert.deepEqual(response.results.map((r) => r.record.key).sort(), chosen.map((u) => u.key).sort());
    assert.deepEqual(
      response.results
        .filter((r) => r.record.status !== 'passed' || !r.stored)
        .map((r) => [r.record.status, r.stored, r.record.error?.message]),
      [],
    );
    const stored = await store.getUnits(event.runId);
    assert.equal(stored.length, chosen.length);
    for (const unit of stored) {
      assert.equal(unit.status, 'passed');
      assert.equal(unit.executor, 'lambda');
      assert.equal(unit.executorRef, 'req-sample-1');
    }
    assert.deepEqual(await readdir(join(dir, 'tmp', 'uigate')), [], 'the batch cleans its /tmp folder up');
  });

  it('uploads screenshots and traces of a failure to S3', async () => {
    const { units } = await listTests({
      cwd: project.dir,
      playwrightConfig: join(project.dir, 'playwright.config.ts'),
    });
    process.env.UIGATE_TASK_ROOT = project.dir;
    const event = await eventFor(units, { bucket: s3.bucket, prefix: 'runs/', endpoint: s3.endpoint });
    const response = await handler(event, { awsRequestId: 'req-s3-1', getRemainingTimeInMillis: () => 300_000 });
    assert.ok(response.ok, JSON.stringify(response));
    const [result] = response.results;
    assert.equal(result!.record.status, 'failed');
    const shot = result!.record.attachments?.find((a) => a.contentType === 'image/png');
    assert.ok(shot, 'the screenshot is recorded');
    const keys = await s3.keys(`runs/${event.runId}/`);
    assert.ok(keys.includes(`runs/${shot.path}`), `${shot.path} is in the bucket: ${keys.join(', ')}`);
    assert.ok(
      keys.some((key) => key.endsWith('-trace.zip')),
      'and so is the trace',
    );
    assert.equal((await s3.read(`runs/${shot.path}`)).subarray(1, 4).toString(), 'PNG');
    // Its Playwright blob report, for the run's one HTML report (report/html-report.ts).
    const blob = `runs/${event.runId}/blobs/req-s3-1-d1.zip`;
    assert.ok(keys.includes(blob), `${blob} in ${keys.join(', ')}`);
    assert.equal((await s3.read(blob)).subarray(0, 2).toString(), 'PK');
  });

  it("runs the suite of the bundle it is given — the commit's tests, not the function's", async () => {
    const suite = await fixtureProject({
      'versioned.spec.ts': `import { test } from '@playwright/test';\ntest('version one', async () => {});\n`,
    });
    try {
      // The function's own folder holds other tests altogether: the handler must not look there.
      process.env.UIGATE_TASK_ROOT = project.dir;
      const run = async (ref: string) => {
        const { units, listing } = await listTests({
          cwd: suite.dir,
          playwrightConfig: join(suite.dir, 'playwright.config.ts'),
        });
        const entries = [
          ...listing.tests.map((t) => join(listing.rootDir, t.file)),
          join(suite.dir, 'playwright.config.ts'),
        ];
        const bundle = await packTestBundle({ projectDir: suite.dir, entries, outDir: join(dir, `bundle-${ref}`) });
        const source = await publishBundle(bundle, { bucket: s3.bucket, prefix: 'ci/', endpoint: s3.endpoint });
        const event = {
          ...(await eventFor(units, { dir: join(dir, 'artifacts') })),
          source,
          config: 'playwright.config.ts',
        };
        return {
          response: await handler(event, { awsRequestId: ref, getRemainingTimeInMillis: () => 300_000 }),
          source,
          units,
        };
      };
      const first = await run('req-v1');
      assert.ok(first.response.ok, JSON.stringify(first.response).slice(0, 2000));
      assert.deepEqual(
        first.response.results.map((r) => [r.record.titlePath.at(-1), r.record.status]),
        [['version one', 'passed']],
      );
      assert.ok(
        'key' in first.source && (await s3.keys('ci/bundles/')).includes(first.source.key),
        'the bundle is in the bucket, by its digest',
      );

      // The next commit renames the test: the next batch runs the new one (a new bundle, fetched again).
      await suite.write(
        'tests/versioned.spec.ts',
        `import { test } from '@playwright/test';\ntest('version two', async () => {});\n`,
      );
      const second = await run('req-v2');
      assert.ok(second.response.ok, JSON.stringify(second.response).slice(0, 2000));
      assert.deepEqual(
        second.response.results.map((r) => [r.record.titlePath.at(-1), r.record.status]),
        [['version two', 'passed']],
      );
      assert.notEqual(first.source.sha256, second.source.sha256);
      assert.deepEqual(
        await readdir(join(dir, 'tmp', 'uigate-suites')),
        [second.source.sha256],
        'a warm environment keeps only the suite it runs now',
      );

      // A bundle that is not what the event says it is is refused, and nothing runs.
      const forged = {
        ...(await eventFor(second.units, { dir })),
        source: { ...second.source, sha256: 'f'.repeat(64) },
      };
      const refused = await handler(forged, { awsRequestId: 'req-forged' });
      assert.ok(!refused.ok && refused.error.type === 'SourceUnavailable', JSON.stringify(refused));
      assert.match(refused.error.message, /has digest [0-9a-f]{64}, not f{64}/);
      assert.deepEqual(refused.results, []);
    } finally {
      await suite.remove();
    }
  });

  it('answers a malformed event with a clear error result, not a crash, and writes nothing', async () => {
    for (const [input, message] of [
      [{}, /malformed event: runId/],
      ['not json', /Unexpected token|not valid JSON/],
      [{ ...(await eventFor([], { dir })), units: [] }, /units: Too small|units:.*at least 1/i],
    ] as const) {
      const response = await handler(input, { awsRequestId: 'req-bad' });
      assert.equal(response.ok, false);
      assert.ok(!response.ok && response.error.type === 'MalformedEvent');
      assert.match(!response.ok ? response.error.message : '', message);
    }
    const firefox = {
      key: 'AAAAAAAAAAAAAAAAAAAAAA',
      file: 'a.spec.ts',
      line: 1,
      column: 1,
      titlePath: ['t'],
      project: 'firefox',
      module: 'a',
    };
    const response = await handler(
      { ...(await eventFor([], { dir })), browser: 'firefox', units: [firefox] },
      { awsRequestId: 'req-ff' },
    );
    assert.ok(!response.ok);
    assert.match(response.error.message, /browser: Lambda runs only chromium/);
  });
});
