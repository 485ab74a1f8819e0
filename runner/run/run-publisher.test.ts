import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { UnitRecord } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import { publishRun } from './run-publisher.ts';

const unit = (key: string, status: UnitRecord['status'], seq: number) => ({ key, status, seq }) as UnitRecord;

describe("a running run's live snapshot", () => {
  it('is written at once, then every few seconds while units change; a late older result never replaces a newer one', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const written: { status: string }[][] = [];
    const store = {
      getUnits: async () => [unit('a', 'queued', 0), unit('b', 'queued', 0)],
      updateRun: async () => undefined,
    } as unknown as ResultStore;
    const artifacts = {
      putObject: async (key: string, body: Buffer) => {
        assert.equal(key, 'r/live.json');
        written.push((JSON.parse(body.toString()) as { units: UnitRecord[] }).units);
      },
    } as unknown as ArtifactStore;
    const publisher = await publishRun(store, 'r', artifacts);
    try {
      const statuses = () =>
        written
          .at(-1)!
          .map((u) => u.status)
          .join(',');
      assert.equal(statuses(), 'queued,queued');
      publisher.seen(unit('a', 'passed', 2003));
      publisher.seen(unit('a', 'running', 2001));
      mock.timers.tick(5_000);
      assert.equal(statuses(), 'passed,queued');
      mock.timers.tick(5_000);
      assert.equal(written.length, 2, 'rewritten although nothing changed');
    } finally {
      publisher.stop();
      mock.timers.reset();
    }
  });
});
