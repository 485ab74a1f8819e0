import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp } from './app.ts';
import { LocalArtifactReader } from '../artifacts/artifact-reader.ts';
import { PNG, seededStore, seedRun, seedUnitRef, type SeededStore } from '../testing/seed.ts';

describe('status API on a store on dynalite', () => {
  let seed: SeededStore;
  let app: ReturnType<typeof createApp>;
  let older: string;
  let newer: string;
  const get = (path: string, init?: RequestInit) => app.request(path, init);

  before(async () => {
    seed = await seededStore();
    older = await seedRun(
      seed,
      [{ file: 'form.spec.ts', title: 'saves', status: 'failed', error: 'boom', durationMs: 900 }],
      {},
      new Date(Date.UTC(2030, 0, 1)),
    );
    newer = await seedRun(
      seed,
      [
        { file: 'form.spec.ts', title: 'saves', status: 'passed', durationMs: 1100, screenshot: true, trace: true },
        {
          file: 'form.spec.ts',
          title: 'validates',
          status: 'flaky',
          attempts: [
            { attempt: 1, status: 'failed', durationMs: 10 },
            { attempt: 2, status: 'passed', durationMs: 12 },
          ],
        },
      ],
      {},
      new Date(Date.UTC(2030, 0, 2)),
    );
    app = createApp({ store: seed.store, artifacts: new LocalArtifactReader(seed.artifactsDir) });
  });
  after(() => seed.remove());

  it('lists runs newest first, paginated by cursor', async () => {
    const first = await (await get('/api/runs?limit=1')).json();
    assert.deepEqual(
      first.runs.map((r: { runId: string }) => r.runId),
      [newer],
    );
    const second = await (await get(`/api/runs?limit=1&cursor=${first.cursor}`)).json();
    assert.deepEqual(
      second.runs.map((r: { runId: string }) => r.runId),
      [older],
    );
  });

  it('gives a run with its units', async () => {
    const body = await (await get(`/api/runs/${newer}`)).json();
    assert.equal(body.run.runId, newer);
    assert.deepEqual(body.units.map((u: { status: string }) => u.status).sort(), ['flaky', 'passed']);
  });

  it('answers 404 for an unknown run and 400 for a malformed id, cursor or limit — as JSON', async () => {
    const unknown = await get('/api/runs/20990101T000000000Z-zzzz');
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error, /no run 20990101T000000000Z-zzzz/);
    for (const path of [
      '/api/runs/..%2Fetc',
      '/api/runs/not-a-run/events',
      '/api/runs?cursor=bogus',
      '/api/runs?limit=0',
      '/api/runs?limit=abc',
      '/api/units/%3Cx%3E/history',
    ]) {
      const response = await get(path);
      assert.equal(response.status, 400, path);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    }
    assert.equal((await get('/api/nope')).status, 404);
  });

  it("gives a unit's history newest first with its flakiness and failure rates", async () => {
    const key = seedUnitRef({ file: 'form.spec.ts', title: 'saves' }).key;
    const body = await (await get(`/api/units/${key}/history`)).json();
    assert.deepEqual(
      body.history.map((u: { runId: string; status: string }) => [u.runId, u.status]),
      [
        [newer, 'passed'],
        [older, 'failed'],
      ],
    );
    assert.deepEqual([body.stats.runs, body.stats.failed, body.stats.failureRate], [2, 1, 0.5]);
    assert.equal((await get('/api/units/AAAAAAAAAAAAAAAAAAAAAA/history')).status, 404);
  });

  it('lists the units that went wrong most often over the newest finished runs of a branch', async () => {
    // Two runs on main (above); one on another branch and one still running, neither counted.
    await seedRun(
      seed,
      [{ file: 'form.spec.ts', title: 'saves', status: 'failed', error: 'elsewhere' }],
      { branch: 'feature' },
      new Date(Date.UTC(2029, 0, 1)),
    );
    await seedRun(
      seed,
      [{ file: 'form.spec.ts', title: 'validates', status: 'failed', error: 'mid-run' }],
      { status: 'running' },
      new Date(Date.UTC(2030, 0, 3)),
    );
    const body = await (await get('/api/flaky')).json();
    assert.equal(body.branch, 'main');
    assert.deepEqual(body.runs, [newer, older]);
    assert.deepEqual(
      body.units.map((u: { titlePath: string[]; runs: number; flaky: number; failed: number }) => [
        u.titlePath.at(-1),
        u.runs,
        u.flaky,
        u.failed,
      ]),
      // A failure in 1 of 2 runs outranks a flaky pass in 1 of 1: a failure may be a regression.
      [
        ['saves', 2, 0, 1],
        ['validates', 1, 1, 0],
      ],
    );
    assert.deepEqual(body.units[0].lastBad, { runId: older, status: 'failed' });
    const feature = await (await get('/api/flaky?branch=feature&runs=5')).json();
    assert.deepEqual(
      feature.units.map((u: { failed: number }) => u.failed),
      [1],
    );
    for (const query of ['runs=0', 'runs=51', 'runs=two', 'branch=']) {
      const bad = await get(`/api/flaky?${query}`);
      assert.equal(bad.status, 400, query);
      assert.match((await bad.json()).error, /runs must be|branch must be/);
    }
  });

  it('gives events of a run, 404 for an unknown one', async () => {
    await seed.store.addEvent({
      runId: newer,
      at: new Date().toISOString(),
      type: 'fault-injected',
      detail: { what: 'hello' },
    });
    const body = await (await get(`/api/runs/${newer}/events`)).json();
    assert.deepEqual(
      body.events.map((e: { type: string }) => e.type),
      ['fault-injected'],
    );
    assert.equal((await get('/api/runs/20990101T000000000Z-zzzz/events')).status, 404);
  });

  it('answers a repeated poll with 304 when nothing changed', async () => {
    const first = await get(`/api/runs/${newer}`);
    const tag = first.headers.get('etag');
    assert.ok(tag);
    assert.equal((await get(`/api/runs/${newer}`, { headers: { 'if-none-match': tag } })).status, 304);
  });

  it("gzips a run's JSON for a browser that accepts it, and answers its polls with 304 too", async () => {
    const plain = await get(`/api/runs/${newer}`);
    const text = await plain.text();
    const zipped = await get(`/api/runs/${newer}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    assert.equal(zipped.headers.get('vary'), 'accept-encoding');
    assert.equal(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString(), text);
    const tag = zipped.headers.get('etag')!;
    assert.notEqual(tag, plain.headers.get('etag'));
    const again = await get(`/api/runs/${newer}`, { headers: { 'accept-encoding': 'gzip', 'if-none-match': tag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('vary'), 'accept-encoding');
  });

  it('serves a run artifact inline when it is a picture, as a download otherwise', async () => {
    const { units } = await (await get(`/api/runs/${newer}`)).json();
    const passed = units.find((u: { status: string }) => u.status === 'passed');
    const [shot, trace] = passed.attachments;
    const image = await get(`/artifacts/${newer}/${shot.path.split('/').slice(1).join('/')}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), PNG);
    const zip = await get(`/artifacts/${newer}/${trace.path.split('/').slice(1).join('/')}`);
    assert.match(zip.headers.get('content-disposition') ?? '', /^attachment; filename="1-trace\.zip"/);
  });

  it('answers 413, naming the size, for an artifact over the limit that has no direct URL', async () => {
    const { units } = await (await get(`/api/runs/${newer}`)).json();
    const [shot] = units.find((u: { status: string }) => u.status === 'passed').attachments;
    const small = createApp({
      store: seed.store,
      artifacts: new LocalArtifactReader(seed.artifactsDir),
      inlineLimit: 8,
    });
    const response = await small.request(`/artifacts/${newer}/${shot.path.split('/').slice(1).join('/')}`);
    assert.equal(response.status, 413);
    assert.match(await response.text(), /more than this server passes on \(8\)/);
  });

  it("serves the run's Playwright HTML report with every file sandboxed, an HTML attachment too", async () => {
    const report = join(seed.artifactsDir, newer, 'report');
    await mkdir(join(report, 'data'), { recursive: true });
    await writeFile(join(report, 'index.html'), '<!doctype html><script>/* the report app */</script>');
    await writeFile(join(report, 'data', 'attached.html'), '<script>fetch("/api/runs")</script>');
    const index = await get(`/reports/${newer}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    for (const response of [index, await get(`/reports/${newer}/data/attached.html`)]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /^sandbox allow-scripts allow-popups allow-downloads;/);
      assert.doesNotMatch(csp, /allow-same-origin/);
      // …so to the report every file here is cross-origin: its screenshots must not be blocked.
      assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin');
    }
    assert.equal((await get(`/api/runs/${newer}`)).headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal((await get(`/reports/${newer}`)).status, 301);
    // Over the server's limit and with no direct URL: refused, as any artifact is, never streamed.
    const small = createApp({
      store: seed.store,
      artifacts: new LocalArtifactReader(seed.artifactsDir),
      inlineLimit: 8,
    });
    assert.equal((await small.request(`/reports/${newer}/index.html`)).status, 413);
    assert.equal((await get(`/reports/${older}/index.html`)).status, 404);
    assert.equal((await get(`/reports/${newer}/../${older}/x`)).status, 404);
  });

  it('refuses path traversal and anything outside the run folder', async () => {
    for (const path of [
      `/artifacts/${newer}/../${older}/x`,
      `/artifacts/${newer}/..%2F..%2Fdynamodb%2Fserver.json`,
      `/artifacts/${newer}/%2e%2e/%2e%2e/etc/passwd`,
      `/artifacts/${newer}/%00`,
      `/artifacts/${newer}/a%5C..%5C..%5Cx`,
      '/artifacts/..%2F..%2F/x',
    ]) {
      const response = await get(path);
      assert.ok([400, 404].includes(response.status), `${path} → ${response.status}`);
      assert.doesNotMatch(await response.text(), /endpoint|pid/);
    }
  });

  it('sends a Content-Security-Policy and never exposes store endpoints or credentials', async () => {
    const response = await get('/api/runs');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const text = await response.text();
    assert.doesNotMatch(text, /127\.0\.0\.1|secretAccessKey|accessKeyId|AWS_/);
  });
});
