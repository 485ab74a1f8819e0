import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededStore, type SeededStore } from '../../status-site/testing/seed.ts';
import { TargetBusyError, withTargetLease } from './target-lease.ts';

describe("a production target's lease (embedded store)", () => {
  let seed: SeededStore;
  before(async () => {
    seed = await seededStore();
  });
  after(() => seed.remove());

  it('lets one of two at once in, and the other after it, never both', async () => {
    let inside = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++inside);
      await new Promise((ok) => setTimeout(ok, 50));
      inside--;
    };
    await Promise.all(
      ['a', 'b', 'c'].map((holder) =>
        withTargetLease(seed.store, 's3://shop', holder, work, { pollMs: 5, waitMs: 10_000 }),
      ),
    );
    assert.equal(most, 1);
  });

  it('stops with one line naming the holder when the wait runs out, and takes a lease whose holder died', async () => {
    const now = Date.now();
    const dead = {
      holder: 'uigate promote of r1 (ci@build, pid 7, 1234)',
      since: new Date(now).toISOString(),
      until: now + 1_000,
    };
    assert.equal((await seed.store.takeLease('s3://busy', dead, now)).taken, true);
    const waits: string[] = [];
    await assert.rejects(
      withTargetLease(seed.store, 's3://busy', 'drill', async () => 'ran', {
        waitMs: 0,
        onWait: (held) => waits.push(held.holder),
      }),
      (error: unknown) =>
        error instanceof TargetBusyError &&
        /s3:\/\/busy is being changed by uigate promote of r1 .* nothing was published; run this again when it has finished/.test(
          error.message,
        ) &&
        error.exitCode === 3,
    );
    // Past its `until`, the dead holder's lease is taken over.
    const later = now + 2_000;
    assert.equal(
      await withTargetLease(seed.store, 's3://busy', 'rollback', async () => 'ran', { now: () => later }),
      'ran',
    );
  });
});
