import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Unit } from './api.ts';
import { newerUnits } from './newer-units.ts';

const unit = (key: string, status: Unit['status'], seq: number): Unit =>
  ({ key, status, seq, runId: 'r', project: 'chromium', module: 'm', file: 'm.spec.ts', titlePath: [key] }) as Unit;

describe('the units a page shows across polls', () => {
  it('keeps a result it showed over an older answer, and takes every newer one', () => {
    const shown = [unit('a', 'passed', 2003), unit('b', 'running', 2001), unit('c', 'queued', 0)];
    const polled = [
      unit('a', 'running', 2001),
      unit('b', 'failed', 2004),
      unit('c', 'queued', 0),
      unit('d', 'queued', 0),
    ];
    assert.deepEqual(
      newerUnits(shown, polled).map((u) => `${u.key}:${u.status}`),
      ['a:passed', 'b:failed', 'c:queued', 'd:queued'],
    );
  });
});
