import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import type { BatchResponse } from './event.ts';
import { fitResponse, RESPONSE_LIMIT_BYTES } from './response-size.ts';

const failing = (i: number, stored: boolean) => ({
  stored,
  record: {
    ...makeUnit('/t/a.spec.ts', '/t', [`fails ${i}`], 'chromium', i, 1),
    runId: 'r',
    status: 'failed' as const,
    seq: 1000,
    attempt: 3,
    executor: 'lambda' as const,
    error: { message: `expected ${'x'.repeat(200_000)}`, stack: 'at '.repeat(50_000) },
    attempts: [1, 2, 3].map((n) => ({
      attempt: n,
      status: 'failed' as const,
      durationMs: 5,
      error: { message: 'y'.repeat(50_000) },
    })),
  },
});

describe('a Lambda answer within the 6 MB RequestResponse limit', () => {
  it('leaves a small answer alone', () => {
    const small: BatchResponse = { ok: true, runId: 'r', batchId: 'b', requestId: 'q', results: [failing(1, true)] };
    assert.equal(fitResponse(small, 10_000_000), small);
  });

  it('fits a batch of long failures, every unit still there with its status, unstored errors clipped not dropped', () => {
    const results = Array.from({ length: 40 }, (_, i) => failing(i, i % 4 !== 0));
    const big: BatchResponse = { ok: true, runId: 'r', batchId: 'b', requestId: 'q', results };
    assert.ok(JSON.stringify(big).length > 6_000_000, 'the answer would be refused as it is');
    const fitted = fitResponse(big);
    assert.ok(Buffer.byteLength(JSON.stringify(fitted)) <= RESPONSE_LIMIT_BYTES);
    assert.deepEqual(
      fitted.results.map((o) => [o.record.key, o.record.status, o.stored]),
      results.map((o) => [o.record.key, o.record.status, o.stored]),
    );
    const unstored = fitted.results.find((o) => !o.stored)!;
    assert.match(unstored.record.error!.message, /^expected x+/);
  });
});
