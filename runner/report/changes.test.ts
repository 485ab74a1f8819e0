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
  it('sorts failures into new and old, and finds the fixes; units the baseline lacked are neither', () => {
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
    assert.deepEqual(compareUnits(now, before), { newFailures: ['a', 'd'], stillFailing: ['b'], fixed: ['c', 'f'] });
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

    it('says there is nothing to compare with, and 404 for an unknown run', async () => {
      const first = await seedRun(seed, [saves('passed')], { branch: 'fresh' }, at(5));
      assert.deepEqual(await changesOf(first), { baseline: null, newFailures: [], stillFailing: [], fixed: [] });
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
    });
  });
});
