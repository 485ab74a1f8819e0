// The status site under Node answers only requests that name this machine in `Host`: a page on a
// domain rebound to 127.0.0.1 would otherwise read every result as its own. (Its writes check more:
// status-site/app/approval-route.test.ts.)
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../testing/seed.ts';
import { startStatusServer, type StatusServer } from './server.ts';

function get(url: string, headers: Record<string, string>) {
  const { hostname, port, pathname } = new URL(url);
  return new Promise<{ status: number; body: string }>((ok, fail) => {
    const req = request({ host: hostname, port, path: pathname, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => ok({ status: res.statusCode!, body: text }));
    });
    req.once('error', fail);
    req.end();
  });
}

describe('the status site under Node and DNS rebinding', () => {
  let seed: SeededStore;
  let server: StatusServer;
  let port: string;

  before(async () => {
    seed = await seededStore();
    await seedRun(seed, [{ file: 'a.spec.ts', title: 'secret title', status: 'passed' }]);
    server = await startStatusServer({ store: seed.store, artifactsDir: seed.artifactsDir });
    port = new URL(server.url).port;
  });
  after(async () => {
    await server.close();
    await seed.remove();
  });

  it('answers 127.0.0.1 and localhost', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const answer = await get(`${server.url}/api/runs`, { host });
      assert.equal(answer.status, 200, host);
      assert.match(answer.body, /runId/);
    }
  });

  it('refuses a rebound domain and a foreign Origin, saying nothing of the results', async () => {
    const attempts: Record<string, string>[] = [
      { host: `attacker.example:${port}` },
      { host: `127.0.0.1:${port}`, origin: 'https://attacker.example' },
    ];
    for (const headers of attempts) {
      const answer = await get(`${server.url}/api/runs`, headers);
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.doesNotMatch(answer.body, /runId|secret title/);
    }
  });
});
