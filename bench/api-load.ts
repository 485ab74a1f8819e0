// The status API under load: autocannon against 127.0.0.1, bounded in connections and time.
// Baseline in the same run: a bare node:http server answering the same bytes from memory — the
// ceiling for this machine, so the ratio is what Hono, the run cache and ETags cost.
import autocannon from 'autocannon';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeUnit } from '../runner/playwright/list.ts';
import { newRunId, type UnitStatus } from '../runner/core/model.ts';
import { startStatusServer } from '../status-site/hosting/server.ts';
import { seededStore } from '../status-site/testing/seed.ts';
import { machine, ms } from './lib.ts';

const UNITS = 1_000;
const CONNECTIONS = 10;
const SECONDS = 10;

async function load(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  // With If-None-Match every answer is a 304, which autocannon counts as non-2xx.
  const expectedNon2xx = headers['if-none-match'] ? result.requests.total : 0;
  if (result.errors || Math.abs(result.non2xx - expectedNon2xx) > CONNECTIONS)
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx of ${result.requests.total}`);
  return result;
}

export async function apiLoadBench(): Promise<string> {
  const seed = await seededStore();
  try {
    const runId = newRunId();
    await seed.store.createRun({
      runId,
      status: 'passed',
      trigger: 'bench',
      projects: ['chromium', 'firefox'],
      modules: [],
      executors: ['local'],
      total: UNITS,
      counts: {},
      startedAt: new Date().toISOString(),
      durationMs: 60_000,
    });
    const statuses: UnitStatus[] = ['passed', 'passed', 'passed', 'flaky', 'failed'];
    await Promise.all(
      Array.from({ length: UNITS }, (_, i) =>
        seed.store.recordUnit({
          ...makeUnit(`/t/m${i % 50}.spec.ts`, '/t', [`case ${i >> 1}`], i % 2 ? 'firefox' : 'chromium', 1, 1),
          runId,
          status: statuses[i % statuses.length]!,
          seq: 1000,
          attempt: 1,
          durationMs: 800,
          executor: 'local',
        }),
      ),
    );
    const server = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
    const runUrl = `${server.url}/api/runs/${runId}`;
    const body = Buffer.from(await (await fetch(runUrl)).arrayBuffer());
    const etag = (await fetch(runUrl)).headers.get('etag')!;
    const bare = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body),
    );
    await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', ok));
    try {
      const baseline = await load(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
      const run = await load(runUrl);
      const revalidated = await load(runUrl, { 'if-none-match': etag });
      const runs = await load(`${server.url}/api/runs?limit=25`);
      const row = (name: string, r: Awaited<ReturnType<typeof load>>) =>
        `| ${name} | ${Math.round(r.requests.average)} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${(r.requests.average / baseline.requests.average).toFixed(2)} |`;
      return [
        '## api-load — the status API under load (autocannon)',
        '',
        `Command: \`npm run bench -- api-load\`: ${CONNECTIONS} connections for ${SECONDS} s per route against 127.0.0.1, a finished run of ${UNITS} units (${(body.length / 1024).toFixed(0)} KB of JSON) in the embedded store. Machine: ${machine()}. The baseline is a bare node:http server sending the same bytes from memory, measured in the same run.`,
        '',
        '| route | req/s | p50 | p99 | × baseline req/s |',
        '|---|---|---|---|---|',
        row('baseline: same bytes, bare node:http', baseline),
        row('GET /api/runs/:id', run),
        row('GET /api/runs/:id, If-None-Match (304)', revalidated),
        row('GET /api/runs?limit=25 (store query each time)', runs),
        '',
        'No request failed. A run poll is served from the run cache and re-sent whole; a page that already has the run gets a 304 from its ETag.',
      ].join('\n');
    } finally {
      // autocannon stops sending before its last answers are in: let them land before the store closes.
      await new Promise((ok) => setTimeout(ok, 500));
      bare.close();
      await server.close();
    }
  } finally {
    await seed.remove();
  }
}
