// "Is every change since the last production release covered by a passing run?" on a real git
// repository: the commits since the live release, the components each touched, and the newest run
// containing each component's newest change — and the gate's componentsVerified rule on the answer.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChangeRules, Components } from '../config/components.ts';
import type { Release, RunMeta } from '../core/model.ts';
import { evaluatePolicy } from '../gate/policy.ts';
import { runMeta } from '../testing/run-meta.ts';
import { liveRelease, sinceRelease } from './since-release.ts';

const components: Components = {
  web: { paths: ['apps/web/**'], tests: { grep: '@web' } },
  api: { paths: ['services/api/**'], tests: { grep: '@api' } },
};
const changes: ChangeRules = { global: ['package-lock.json'], unmapped: 'ignore' };
const config = { components, changes };

const release = (releaseId: string, commit: string, extra: Partial<Release> = {}): Release => ({
  target: 'local:/prod',
  releaseId,
  runId: releaseId,
  commit,
  status: 'verified',
  promotedAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:00:00.000Z',
  ...extra,
});

/** The two reads sinceRelease makes, over lists given newest first. */
const storeOf = (releases: Release[], runs: RunMeta[]) => ({
  recentReleases: async () => releases,
  listRuns: async () => ({ items: runs }),
});

describe('what changed since the live production release, and which runs cover it', () => {
  let dir: string;
  const commits: Record<string, string> = {};
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const commit = async (name: string, files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    git('add', '-A');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '-m', name);
    commits[name] = git('rev-parse', 'HEAD');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-since-release-'));
    git('init', '-q', '-b', 'main');
    await commit('released', { 'apps/web/page.ts': '1', 'services/api/price.ts': '1' });
    await commit('web change', { 'apps/web/page.ts': '2' });
    await commit('api change', { 'services/api/price.ts': '2' });
    await commit('readme', { 'README.md': 'hello' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const changed = (runId: string, at: string, status: RunMeta['status'], names: string[]) =>
    runMeta(runId, { status, commit: commits[at], selection: { changedSince: commits.released, components: names } });

  it('lists the commits since the release with the components each touched, and each component’s covering run', async () => {
    const runs = [changed('R-api', 'api change', 'failed', ['api']), changed('R-web', 'web change', 'passed', ['web'])];
    const since = await sinceRelease(dir, storeOf([release('R0', commits.released!)], runs), config, commits.readme!);
    assert.deepEqual(since.release, { target: 'local:/prod', releaseId: 'R0', runId: 'R0', commit: commits.released });
    assert.deepEqual(
      since.commits.map((c) => [c.subject, c.components]),
      [
        ['readme', []],
        ['api change', ['api']],
        ['web change', ['web']],
      ],
    );
    assert.deepEqual(since.components, [
      { name: 'web', lastChange: commits['web change'], state: 'passed', runId: 'R-web' },
      { name: 'api', lastChange: commits['api change'], state: 'failed', runId: 'R-api' },
    ]);
    const gate = evaluatePolicy(
      { componentsVerified: true },
      runMeta('R-now', { status: 'passed', sinceRelease: since }),
      [],
    );
    const rule = gate.rules.find((r) => r.rule === 'components verified')!;
    assert.equal(rule.passed, false);
    assert.match(
      rule.measured,
      /since release R0: web passed \(run R-web\) since [0-9a-f]{12}; api failed \(run R-api\)/,
    );
  });

  it('counts only runs that contain the change and ran the component: an earlier commit or another component’s run is not verification', async () => {
    const runs = [
      changed('R-web-only', 'readme', 'passed', ['web']), // contains api's change, but did not run api's tests
      changed('R-before', 'web change', 'passed', ['api']), // ran api's tests before api changed
    ];
    const since = await sinceRelease(dir, storeOf([release('R0', commits.released!)], runs), config, commits.readme!);
    assert.deepEqual(
      since.components.map((c) => [c.name, c.state, c.runId]),
      [
        ['web', 'passed', 'R-web-only'],
        ['api', 'never run', undefined],
      ],
    );
    const whole = runMeta('R-whole', { status: 'passed', commit: commits.readme });
    const covered = await sinceRelease(
      dir,
      storeOf([release('R0', commits.released!)], [whole, ...runs]),
      config,
      commits.readme!,
    );
    assert.ok(
      covered.components.every((c) => c.state === 'passed' && c.runId === 'R-whole'),
      'a passing whole-suite run covers all',
    );
    const gate = evaluatePolicy(
      { componentsVerified: true },
      runMeta('R-whole', { status: 'passed', sinceRelease: covered }),
      [],
    );
    assert.equal(gate.rules.find((r) => r.rule === 'components verified')?.passed, true);
  });

  it('compares with the release a rollback brought back, not the one rolled back', () => {
    const good = release('R1', 'aaa');
    const bad = release('R2', 'bbb', { status: 'failed', rolledBackTo: 'R1' });
    assert.equal(liveRelease([bad, good])?.releaseId, 'R1');
    const stayed = release('R3', 'ccc', { status: 'failed' });
    assert.equal(liveRelease([stayed, good])?.releaseId, 'R3', 'a failed release not rolled back is still live');
  });

  it('with nothing released yet, asks for runs of the candidate itself; fails closed when it cannot tell', async () => {
    const since = await sinceRelease(
      dir,
      storeOf([], [changed('R-web', 'readme', 'passed', ['web'])]),
      config,
      commits.readme!,
    );
    assert.equal(since.release, undefined);
    assert.deepEqual(
      since.components.map((c) => [c.name, c.state]),
      [
        ['web', 'passed'],
        ['api', 'never run'],
      ],
    );
    const missing = await sinceRelease(dir, storeOf([release('R0', 'f'.repeat(40))], []), config, commits.readme!);
    assert.match(missing.unknown ?? '', /the release's commit ffffffffffff is not in this clone/);
    for (const sinceRelease of [missing, undefined]) {
      const gate = evaluatePolicy({ componentsVerified: true }, runMeta('R', { status: 'passed', sinceRelease }), []);
      const rule = gate.rules.find((r) => r.rule === 'components verified')!;
      assert.equal(rule.passed, false, rule.measured);
    }
    assert.equal(
      evaluatePolicy({}, runMeta('R', { status: 'passed' }), []).rules.some((r) => r.rule === 'components verified'),
      false,
      'off unless asked for',
    );
  });
});
