import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import type { ResultStore } from '../../runner/store/result-store.ts';
import type { FlakyAnswer } from '../shared/flakiness.ts';
import { flakyRoute, MAX_KEPT } from './flaky-route.ts';
import type { RunCache } from './run-cache.ts';

describe('GET /api/flaky, remembered for a while', () => {
  it('keeps a bounded number of answers, however many branches callers name', async () => {
    let reads = 0;
    const store = { listRuns: async () => (reads++, { items: [] }) } as unknown as ResultStore;
    const kept = new Map<string, { at: number; answer: Promise<FlakyAnswer> }>();
    const app = new Hono();
    let clock = 0;
    flakyRoute(app, store, {} as RunCache, () => clock, kept);
    for (let i = 0; i < MAX_KEPT * 3; i++) assert.equal((await app.request(`/api/flaky?branch=b${i}`)).status, 200);
    assert.equal(kept.size, MAX_KEPT);
    assert.equal((await app.request(`/api/flaky?branch=b${MAX_KEPT * 3 - 1}`)).status, 200);
    assert.equal(reads, MAX_KEPT * 3, 'the newest answer was still kept');
    clock = 60_000;
    await app.request('/api/flaky?branch=late');
    assert.equal(kept.size, 1, 'answers past their time are dropped');
  });
});

describe('GET /api/flaky, over suite runs only', () => {
  it("leaves out the bakes' smoke runs: they test production, not the commit", async () => {
    const run = (runId: string, trigger: string) => ({ runId, trigger, status: 'failed', branch: 'main' });
    const store = {
      listRuns: async () => ({ items: [run('smoke-1', 'uigate verify (smoke)'), run('suite-1', 'ci')] }),
    } as unknown as ResultStore;
    const read: string[] = [];
    const cache = { unitsOnce: async (runId: string) => (read.push(runId), []) } as unknown as RunCache;
    const app = new Hono();
    flakyRoute(app, store, cache);
    const answer = (await (await app.request('/api/flaky')).json()) as FlakyAnswer;
    assert.deepEqual(answer.runs, ['suite-1']);
    assert.deepEqual(read, ['suite-1']);
  });
});
