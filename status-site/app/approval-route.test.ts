import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../../runner/config/config.ts';
import { openRequest } from '../../runner/gate/approvals.ts';
import { evaluatePolicy } from '../../runner/gate/policy.ts';
import { LocalArtifactReader } from '../artifacts/artifact-reader.ts';
import { localApprover } from '../../runner/gate/identity.ts';
import { createApp } from './app.ts';
import { localApprovals } from '../access/approvers.ts';
import { seededStore, seedRun, type SeededStore } from '../testing/seed.ts';

const ORIGIN = 'http://127.0.0.1:7357';

describe('POST /api/runs/:id/approval', () => {
  let seed: SeededStore;
  let app: ReturnType<typeof createApp>;
  let runId: string;
  let ana: string;
  let mallory: string;
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;

  before(async () => {
    seed = await seededStore();
    const config = resolveConfig({ approval: { approvers: ['ana'] } }, seed.dir, { UIGATE_HOME: seed.dir });
    app = createApp({ store: seed.store, approvals: localApprovals(config, sink) });
    ana = (await localApprover(seed.dir, 'ana')).token;
    mallory = (await localApprover(seed.dir, 'mallory')).token;
    runId = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }]);
    const run = (await seed.store.getRun(runId))!;
    await openRequest({
      store: seed.store,
      run,
      gate: { passed: true, rules: [] },
      settings: config.approval,
      actor: 'test',
    });
  });
  after(() => seed.remove());

  const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(`${ORIGIN}/api/runs/${id}/approval`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-uigate-request': 'approval',
        origin: ORIGIN,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const votes = async () =>
    (await seed.store.listEvents(runId)).filter(
      (e) => e.type.startsWith('approval-vote') || e.type === 'approval-decided',
    ).length;
  const approve = { decision: 'approved', comment: 'matrix green, screenshots fine' };

  it('refuses a missing or forged token with 401, and writes nothing', async () => {
    for (const authorization of [undefined, 'Bearer uig_' + 'A'.repeat(43), 'Bearer not-a-token', `Basic ${ana}`]) {
      const response = await post(runId, approve, authorization ? { authorization } : {});
      assert.equal(response.status, 401, authorization);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    assert.equal(await votes(), 0);
  });

  it('refuses an approver who is not on the list with 403, and writes nothing', async () => {
    const response = await post(runId, approve, { authorization: `Bearer ${mallory}` });
    assert.equal(response.status, 403);
    assert.equal((await response.json()).error, 'mallory is not an allowed approver');
    assert.equal(await votes(), 0);
  });

  it('refuses cross-site posts, forms and requests without the uigate header, even with a valid token', async () => {
    const auth = { authorization: `Bearer ${ana}` };
    const cases: [Record<string, string>, number][] = [
      [{ ...auth, origin: 'https://evil.example' }, 403],
      [{ ...auth, 'sec-fetch-site': 'cross-site' }, 403],
      [{ ...auth, 'x-uigate-request': '' }, 403],
      [{ ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 415],
      [{ ...auth, 'content-type': 'text/plain' }, 415],
    ];
    for (const [headers, status] of cases)
      assert.equal((await post(runId, approve, headers)).status, status, JSON.stringify(headers));
    assert.equal(await votes(), 0);
  });

  it('answers 404 for an unknown run and 400 for a malformed one or a bad body', async () => {
    const auth = { authorization: `Bearer ${ana}` };
    assert.equal((await post('20990101T000000000Z-zzzz', approve, auth)).status, 404);
    assert.equal((await post('..%2F..%2Fetc', approve, auth)).status, 400);
    assert.equal((await post(runId, '{not json', auth)).status, 400);
    assert.equal((await post(runId, { decision: 'approved' }, auth)).status, 400);
    assert.equal((await post(runId, { ...approve, decision: 'maybe' }, auth)).status, 400);
    assert.equal((await post(runId, { ...approve, extra: '<script>' }, auth)).status, 400);
    assert.equal((await post(runId, { ...approve, comment: ' ' }, auth)).status, 409);
    assert.equal(await votes(), 0);
  });

  it('records an allowed approver’s decision, answers the same to a double click, and shows it on GET', async () => {
    const auth = { authorization: `Bearer ${ana}` };
    const first = await post(runId, approve, auth);
    assert.equal(first.status, 200);
    const body = await first.json();
    assert.equal(body.approver, 'ana');
    assert.equal(body.state, 'approved');
    const again = await post(runId, approve, auth);
    assert.equal(again.status, 200);
    assert.equal((await again.json()).duplicate, true);
    const view = await (await app.request(`/api/runs/${runId}/approval`)).json();
    assert.equal(view.state, 'approved');
    assert.deepEqual(
      view.votes.map((v: { approver: string; comment: string }) => [v.approver, v.comment]),
      [['ana', approve.comment]],
    );
    assert.equal((await post(runId, { decision: 'rejected', comment: 'changed my mind' }, auth)).status, 409);
  });

  it('refuses every write on a site without approvals configured', async () => {
    const bare = createApp({ store: seed.store });
    const response = await bare.request(`${ORIGIN}/api/runs/${runId}/approval`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-uigate-request': 'approval', authorization: `Bearer ${ana}` },
      body: JSON.stringify(approve),
    });
    assert.equal(response.status, 401);
  });
});

describe('GET /api/runs/:id/approval with screenshot changes', () => {
  it('shows each change with its decision, reading the run’s images once for the page’s polls', async () => {
    const seed = await seededStore();
    try {
      const config = resolveConfig({ approval: { approvers: ['ana'] } }, seed.dir, { UIGATE_HOME: seed.dir });
      const runId = await seedRun(seed, [
        { file: 'home.spec.ts', title: 'looks right', status: 'failed', visual: 'changed', error: 'x' },
      ]);
      const run = (await seed.store.getRun(runId))!;
      const gate = evaluatePolicy({ visualReview: true }, run, await seed.store.getUnits(runId));
      await openRequest({ store: seed.store, run, gate, settings: config.approval, actor: 'test' });
      let reads = 0;
      const local = new LocalArtifactReader(seed.artifactsDir);
      const artifacts = { get: (id: string, path: string) => (reads++, local.get(id, path)) };
      const app = createApp({
        store: seed.store,
        artifacts,
        approvals: localApprovals(config, { write: () => true } as never),
      });
      for (let poll = 0; poll < 3; poll++) {
        const view = (await (await app.request(`/api/runs/${runId}/approval`)).json()) as {
          visual: { fingerprint: string; decided?: unknown }[];
        };
        assert.equal(view.visual.length, 1);
        assert.match(view.visual[0]!.fingerprint, /^[0-9a-f]{24}$/);
      }
      assert.equal(reads, 2, 'expected and actual, once');
    } finally {
      await seed.remove();
    }
  });
});
