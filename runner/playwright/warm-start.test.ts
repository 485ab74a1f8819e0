import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newRunId } from '../core/model.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import type { StoreAddress } from '../store/store-address.ts';
import { batchStore, localBatch } from '../testing/batch-store.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { runPlaywrightBatch } from './batch.ts';
import { listTests } from './list.ts';
import { trackedGroups, untrackGroup } from './process-groups.ts';
import { WarmPool } from './warm-start.ts';

/** This process's children that are warm Playwright processes, read from /proc. */
function warmChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && state !== 'Z' && cmdline.includes('lib/program')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((ok) => setTimeout(ok, 25));
  return check();
}

describe('warm Playwright processes', () => {
  let project: FixtureProject;
  let dir: string;
  let store: DynamoStore;
  let address: StoreAddress;

  before(async () => {
    project = await fixtureProject({
      'mixed.spec.ts': `
import { test, expect } from '@playwright/test';
test('passes', async () => { expect(1).toBe(1); });
test('fails', async () => { expect(1).toBe(2); });
test('in a worker', async () => { expect(process.env.TEST_WORKER_INDEX).toBeDefined(); });
`,
    });
    dir = await mkdtemp(join(tmpdir(), 'uigate-warm-'));
    ({ store, address } = await batchStore(dir));
  });
  after(async () => {
    await store.close();
    await project.remove();
    await rm(dir, { recursive: true, force: true });
  });

  async function batch(name: string, warm?: Pick<WarmPool, 'take'>) {
    const runId = newRunId();
    const { units } = await listTests({
      cwd: project.dir,
      playwrightConfig: join(project.dir, 'playwright.config.ts'),
    });
    await store.queueUnits(runId, units);
    const result = await runPlaywrightBatch({
      ...localBatch(
        { cwd: project.dir, address, artifactsDir: join(dir, 'artifacts') },
        { runId, ref: name, units, workDir: join(dir, name) },
      ),
      warm,
    });
    const stored = await store.getUnits(runId);
    return {
      result,
      statuses: stored.map((unit) => `${unit.titlePath.at(-1)}: ${unit.status}`).sort(),
      refs: new Set(stored.map((unit) => unit.executorRef)),
    };
  }

  it('runs a batch in the warm process, with the batch’s environment, as a cold one runs it', async () => {
    const pool = new WarmPool(project.dir);
    pool.start();
    const taken: number[] = [];
    const spy = {
      take(cwd: string) {
        const warm = pool.take(cwd);
        if (warm) taken.push(warm.child.pid!);
        return warm;
      },
    };
    try {
      const warm = await batch('warm-1', spy);
      const cold = await batch('cold-1');
      assert.equal(taken.length, 1, 'the batch took the warm process');
      assert.equal(warm.result.pid, taken[0], 'and Playwright ran in it');
      assert.ok(warm.result.ended, warm.result.diagnostics);
      assert.notEqual(cold.result.pid, taken[0]);
      // The run, executor ref and store reached the reporter only through the environment handed over.
      assert.deepEqual(warm.refs, new Set(['warm-1']));
      assert.deepEqual(warm.statuses, ['fails: failed', 'in a worker: passed', 'passes: passed']);
      assert.deepEqual(warm.statuses, cold.statuses);
      assert.ok(warm.result.blob, 'its blob report was kept');
    } finally {
      pool.close();
    }
  });

  it('keeps a handed process’s group for a forced exit to kill until its batch lets go, though Playwright itself has exited', async () => {
    // Playwright may exit on Ctrl-C before its workers do; a second Ctrl-C in that moment kills
    // the tracked groups, so the group must still be tracked (run.test.ts: second Ctrl-C).
    const pool = new WarmPool(project.dir);
    pool.start();
    try {
      const warm = pool.take(project.dir)!;
      assert.ok(trackedGroups().includes(warm.child.pid!), 'a waiting warm process is tracked');
      assert.equal(warm.hand(['--version'], {}), true);
      assert.ok(await until(() => warm.child.exitCode !== null), 'Playwright printed its version and exited');
      await new Promise((ok) => setImmediate(ok));
      assert.ok(trackedGroups().includes(warm.child.pid!), 'still tracked after its exit');
      untrackGroup(warm.child.pid);
    } finally {
      pool.close();
    }
  });

  it('leaves Playwright to start cold when none is warm, and ends unused ones on close', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'uigate-no-playwright-'));
    try {
      const none = new WarmPool(empty);
      none.start();
      assert.equal(none.take(empty), undefined, 'no @playwright/test here: nothing to warm');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }

    const pool = new WarmPool(project.dir);
    pool.start();
    pool.start();
    assert.equal(pool.take(join(project.dir, 'tests')), undefined, 'a warm process is only for its own folder');
    const died = pool.take(project.dir)!;
    process.kill(died.child.pid!, 'SIGKILL');
    await until(() => died.child.exitCode !== null || died.child.signalCode !== null);
    assert.equal(died.hand(['--version'], {}), false, 'a process that died while waiting is not handed work');

    pool.start();
    assert.equal(warmChildren().length, 2, 'one left from before, one new');
    pool.close();
    assert.ok(await until(() => warmChildren().length === 0), 'close ends the processes left waiting');
    pool.start();
    assert.equal(pool.take(project.dir), undefined, 'a closed pool starts no more');
  });
});
