import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENV } from '../core/env.ts';
import { newRunId } from '../core/model.ts';
import { runPlaywrightBatch } from '../playwright/batch.ts';
import { listTests } from '../playwright/list.ts';
import type { StoreAddress } from '../store/store-address.ts';
import { batchStore, localBatch } from '../testing/batch-store.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { mergedAsJson } from '../testing/merged-blobs.ts';
import { localS3, type LocalS3 } from '../testing/s3.ts';
import { WarmPool } from '../playwright/warm-start.ts';
import { keepHtmlReport, lastWords } from './html-report.ts';
import { batchReportDir, blobKey } from '../artifacts/report-keys.ts';

// A mixed run: one batch on this machine (its blob in the artifacts folder), one as Lambda or
// CodeBuild would run it (the suite in a folder of its own, its blob in the bucket). The run's
// report is made from both.
describe("the run's one Playwright HTML report", () => {
  let project: FixtureProject;
  let s3: LocalS3;
  let dir: string;
  let store: DynamoStore;
  let address: StoreAddress;

  before(async () => {
    project = await fixtureProject({
      'split.spec.ts': `
import { test, expect } from '@playwright/test';
test.describe.configure({ mode: 'parallel' });
test('ran here', async () => { expect(1).toBe(1); });
test('ran there', async () => { expect(1).toBe(2); });
`,
    });
    s3 = await localS3();
    dir = await mkdtemp(join(tmpdir(), 'uigate-html-report-'));
    ({ store, address } = await batchStore(dir));
  });
  after(async () => {
    await store.close();
    await s3.close();
    await project.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('merges the blob reports of every batch, from the folder and the bucket, into the bucket', async () => {
    const runId = newRunId();
    const { units } = await listTests({
      cwd: project.dir,
      playwrightConfig: join(project.dir, 'playwright.config.ts'),
    });
    await store.queueUnits(runId, units);
    // Where a Lambda environment unpacks the suite: another folder than the project's.
    const unpacked = join(dir, 'unpacked-suite');
    await cp(project.dir, unpacked, { recursive: true, verbatimSymlinks: true });
    const batch = (index: number, env: Record<string, string>) =>
      runPlaywrightBatch({
        ...localBatch(
          { cwd: index === 0 ? project.dir : unpacked, address, artifactsDir: join(dir, 'artifacts') },
          { runId, ref: `batch-${index}`, units: [units[index]!], workDir: join(dir, `batch-${index}`) },
        ),
        env,
      });
    const here = await batch(0, {});
    const there = await batch(1, { [ENV.artifactsBucket]: s3.bucket, [ENV.s3Endpoint]: s3.endpoint });
    assert.equal(here.blob, `${runId}/blobs/batch-0-d1.zip`);
    assert.equal(there.blob, `${runId}/blobs/batch-1-d1.zip`);
    assert.ok((await s3.keys(`${runId}/blobs/`)).includes(there.blob!), 'the remote batch put its blob in the bucket');

    const workDir = join(dir, 'run');
    // merge-reports runs in a Playwright process that loaded while the batches ran.
    const pool = new WarmPool(project.dir);
    pool.start();
    let taken = 0;
    const warm = {
      take(cwd: string) {
        const one = pool.take(cwd);
        if (one) taken++;
        return one;
      },
    };
    const merged = await keepHtmlReport(
      { dir: join(dir, 'artifacts'), bucket: s3.bucket, endpoint: s3.endpoint },
      { cwd: project.dir, playwrightConfig: join(project.dir, 'playwright.config.ts'), runId, workDir, warm },
    ).finally(() => pool.close());
    assert.deepEqual(merged, { key: `${runId}/report/index.html`, reports: 2 });
    assert.equal(taken, 1, 'merge-reports took the warm process');
    const index = await s3.read(`${runId}/report/index.html`);
    assert.match(index.toString(), /<html/i);
    // What Playwright merged: both tests, with their outcomes.
    const json = await mergedAsJson(project.dir, join(workDir, 'blobs'));
    const statuses = [...json.matchAll(/"title": "(ran \w+)"[\s\S]*?"status": "(\w+)"/g)].map(
      (m) => `${m[1]}: ${m[2]}`,
    );
    assert.deepEqual(statuses.sort(), ['ran here: passed', 'ran there: failed']);
  });

  it('uses the report a lone local batch wrote itself, and starts no merge-reports', async () => {
    const runId = newRunId();
    const { units } = await listTests({
      cwd: project.dir,
      playwrightConfig: join(project.dir, 'playwright.config.ts'),
    });
    await store.queueUnits(runId, units);
    const workDir = join(dir, 'lone');
    const artifactsDir = join(dir, 'artifacts');
    const made = batchReportDir(workDir, blobKey(runId, 'local-001', 1));
    const result = await runPlaywrightBatch({
      ...localBatch(
        { cwd: project.dir, address, artifactsDir },
        { runId, ref: 'local-001', units, workDir: join(workDir, 'local-001-d1') },
      ),
      htmlReport: made,
    });
    assert.equal(result.blob, `${runId}/blobs/local-001-d1.zip`);
    assert.match(await readFile(join(made, 'index.html'), 'utf8'), /<html/i, 'Playwright wrote its HTML report');
    // Marks the batch's own report: a report merged again from the blob would not have it.
    await writeFile(join(made, 'made-by-the-batch.txt'), 'yes');

    const kept = await keepHtmlReport(
      { dir: artifactsDir },
      { cwd: project.dir, playwrightConfig: join(project.dir, 'playwright.config.ts'), runId, workDir },
    );
    assert.deepEqual(kept, { key: `${runId}/report/index.html`, reports: 1 });
    assert.equal(await readFile(join(artifactsDir, runId, 'report', 'made-by-the-batch.txt'), 'utf8'), 'yes');
    assert.match(await readFile(join(artifactsDir, runId, 'report', 'index.html'), 'utf8'), /<html/i);
  });

  it('makes no report, and says nothing went wrong, when no batch left a blob', async () => {
    const merged = await keepHtmlReport(
      { dir: join(dir, 'empty') },
      {
        cwd: project.dir,
        playwrightConfig: join(project.dir, 'playwright.config.ts'),
        runId: newRunId(),
        workDir: join(dir, 'none'),
      },
    );
    assert.deepEqual(merged, { reports: 0 });
  });
});

describe('lastWords', () => {
  it("tells a failed Playwright command by its error's message, not its stack", () => {
    const output = [
      'Error: Blob reports being merged were recorded with different test directories, and',
      'merging cannot proceed.',
      '    at mergeConfigureEvents (/app/node_modules/playwright/lib/runner/index.js:8384:13)',
      '    at async Object.createMergedReport (/app/node_modules/playwright/lib/runner/index.js:8180:21)',
    ].join('\n');
    assert.equal(
      lastWords(output),
      'Error: Blob reports being merged were recorded with different test directories, and | merging cannot proceed.',
    );
    assert.equal(lastWords('something odd\nhappened'), 'something odd | happened');
  });
});
