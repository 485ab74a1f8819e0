import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunSummary } from './summary.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';
import { createApp } from '../../status-site/app/app.ts';
import { compareUnits } from './changes.ts';
import { seededStore, seedRun, seedUnitRef, type SeededStore } from '../../status-site/testing/seed.ts';

const u = (key: string, status: string) => ({ key, status }) as never;
const at = (minute: number) => new Date(Date.UTC(2031, 5, 1, 12, minute));

describe('what changed since the last full run', () => {
  it('sorts failures into new and old, finds the fixes, and keeps failures with nothing to compare apart', () => {
    const now = [
      u('a', 'failed'),
      u('b', 'failed'),
      u('c', 'passed'),
      u('d', 'errored'),
      u('e', 'failed'),
      u('f', 'flaky'),
      u('g', 'skipped'),
    ];
    const before = [
      u('a', 'passed'),
      u('b', 'failed'),
      u('c', 'failed'),
      u('d', 'flaky'),
      u('f', 'errored'),
      u('g', 'failed'),
    ];
    assert.deepEqual(compareUnits([...now, u('h', 'failed')], [...before, u('h', 'skipped')]), {
      newFailures: ['a', 'd'],
      stillFailing: ['b'],
      fixed: ['c', 'f'],
      firstFailures: ['e', 'h'],
    });
  });

  describe('GET /api/runs/:id/changes on a store', () => {
    let seed: SeededStore;
    let app: ReturnType<typeof createApp>;
    before(async () => {
      seed = await seededStore();
      app = createApp({ store: seed.store });
    });
    after(() => seed.remove());

    const saves = (status: 'passed' | 'failed') => ({ file: 'form.spec.ts', title: 'saves', status });
    const changesOf = async (runId: string) =>
      (await app.request(`/api/runs/${runId}/changes`)).json() as Promise<{
        baseline: { runId: string } | null;
        newFailures: string[];
        fixed: string[];
      }>;

    it('compares with the newest earlier finished full run on the same branch, passing over the others', async () => {
      const baseline = await seedRun(seed, [saves('passed')], { branch: 'main' }, at(0));
      await seedRun(seed, [saves('failed')], { branch: 'feature' }, at(1));
      await seedRun(seed, [saves('failed')], { branch: 'main', selection: { rerunOf: baseline } }, at(2));
      await seedRun(seed, [saves('failed')], { branch: 'main', status: 'running' }, at(3));
      const now = await seedRun(seed, [saves('failed')], { branch: 'main' }, at(4));
      const changes = await changesOf(now);
      assert.equal(changes.baseline?.runId, baseline);
      assert.deepEqual(changes.newFailures, [seedUnitRef(saves('failed')).key]);
      assert.deepEqual(changes.fixed, []);
    });

    it('compares with a run of every project this one ran: a chromium-only pipeline run says nothing of firefox', async () => {
      const pays = (project: string, status: 'passed' | 'failed') => ({
        file: 'checkout.spec.ts',
        title: 'pays with the saved card',
        project,
        status,
      });
      const both = await seedRun(
        seed,
        [pays('chromium', 'passed'), pays('firefox', 'passed')],
        { branch: 'release', projects: ['chromium', 'firefox'] },
        at(10),
      );
      await seedRun(seed, [pays('chromium', 'passed')], { branch: 'release', projects: ['chromium'] }, at(11));
      const now = await seedRun(
        seed,
        [pays('chromium', 'passed'), pays('firefox', 'failed')],
        { branch: 'release', projects: ['chromium', 'firefox'] },
        at(12),
      );
      const changes = (await changesOf(now)) as { baseline: { runId: string }; newFailures: string[] };
      assert.equal(changes.baseline.runId, both);
      assert.deepEqual(changes.newFailures, [seedUnitRef(pays('firefox', 'failed')).key]);
    });

    it('says there is nothing to compare with, and 404 for an unknown run', async () => {
      const first = await seedRun(seed, [saves('passed')], { branch: 'fresh' }, at(5));
      assert.deepEqual(await changesOf(first), {
        baseline: null,
        newFailures: [],
        stillFailing: [],
        fixed: [],
        firstFailures: [],
      });
      assert.equal((await app.request('/api/runs/20990101T000000000Z-zzzz/changes')).status, 404);
    });
  });

  describe('at the end of uigate run', () => {
    let project: FixtureProject;
    let home: string;
    before(async () => {
      project = await fixtureProject({
        'cart.spec.ts': `import { test, expect } from '@playwright/test';
test('stays green', async () => { expect(1).toBe(1); });
test('breaks when told', async () => { expect(process.env.BROKEN ?? '').toBe(''); });
`,
      });
      home = await mkdtemp(join(tmpdir(), 'uigate-home-'));
    });
    after(async () => {
      await project.remove();
      await rm(home, { recursive: true, force: true });
    });

    it('names the failures that are new since the last full run, in the terminal and in --json', async () => {
      const first = await project.uigate(['run', '--no-serve', '--json'], { env: { UIGATE_HOME: home } });
      assert.equal(first.code, 0, first.stderr);
      assert.doesNotMatch(first.stderr, /since .*the last full run/, 'nothing to compare the first run with');
      const baseline = (JSON.parse(first.stdout) as RunSummary).runId;

      const second = await project.uigate(['run', '--no-serve', '--json'], { env: { UIGATE_HOME: home, BROKEN: '1' } });
      assert.equal(second.code, 1, second.stderr);
      assert.match(
        second.stderr,
        new RegExp(
          `since ${baseline}, the last full run on this branch: 1 new failure \\(\\[chromium\\] breaks when told\\), 0 failing before too, 0 fixed`,
        ),
      );
      const summary = JSON.parse(second.stdout) as RunSummary;
      assert.equal(summary.changes?.since, baseline);
      assert.deepEqual(summary.changes?.newFailures, [summary.failures[0]!.key]);
      assert.deepEqual(summary.changes?.firstFailures, []);
    });
  });
});
