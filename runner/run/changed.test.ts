// `uigate run --changed` in a mono-repo: a git repository whose components are folders of the app,
// covered by tagged tests. Fewer tests than the suite run, and the gate refuses the run for production.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openEmbeddedStore } from '../store/open-store.ts';
import { fixtureProject, type FixtureProject } from '../testing/fixture-project.ts';

const SPEC = (tag: string, titles: string[]) =>
  `import { test, expect } from '@playwright/test';\n${titles
    .map((title) => `test('${title}', { tag: '${tag}' }, async () => { expect(1).toBe(1); });`)
    .join('\n')}\n`;

describe('uigate run --changed', () => {
  let project: FixtureProject;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: project.dir, encoding: 'utf8' }).trim();

  before(async () => {
    project = await fixtureProject({
      'web.spec.ts': SPEC('@web', ['shows the home page', 'adds to the cart']),
      'api.spec.ts': SPEC('@api', ['answers the price']),
      'docs.spec.ts': SPEC('@docs', ['links the handbook']),
    });
    await project.write(
      'uigate.config.mjs',
      `export default {
  components: {
    web: { paths: ['apps/web/**'], tests: { grep: '@web' } },
    api: { paths: ['services/api/**'], tests: { grep: '@api' } },
  },
  gate: { wholeSuite: true },
};\n`,
    );
    await project.write('apps/web/page.ts', 'export const page = 1;\n');
    await project.write('services/api/price.ts', 'export const price = 1;\n');
    await project.write('.gitignore', 'node_modules\n.uigate/\n');
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    git('add', '-A');
    git('commit', '-q', '-m', 'start');
    git('checkout', '-q', '-b', 'feature');
    await project.write('apps/web/page.ts', 'export const page = 2;\n');
    git('commit', '-q', '-am', 'web changes');
  });
  after(() => project.remove());

  it('runs only the touched component’s tests, marks the run narrowed, and the gate refuses it for production', async () => {
    const result = await project.uigate(['run', '--changed', 'main', '--json', '--no-serve']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /--changed since main: web changed: 2 of 4 tests/);
    const { runId, total } = JSON.parse(result.stdout) as { runId: string; total: number };
    assert.equal(total, 2, 'fewer than the suite');
    const { store } = await openEmbeddedStore(join(project.dir, '.uigate', 'dynamodb'));
    try {
      const run = (await store.getRun(runId))!;
      assert.match(run.selection?.changedSince ?? '', /^[0-9a-f]{40}$/);
      const titles = (await store.getUnits(runId)).map((unit) => unit.titlePath.at(-1)).sort();
      assert.deepEqual(titles, ['adds to the cart', 'shows the home page']);
    } finally {
      await store.close();
    }
    const gate = await project.uigate(['gate', '--run', runId]);
    assert.equal(gate.code, 1, gate.stdout + gate.stderr);
    assert.match(gate.stdout + gate.stderr, /whole suite.*narrowed: --changed [0-9a-f]{12}/);
  });

  it('uigate pipeline --local --changed: the narrowed run in its test stage, and its gate keeping it out of production', async () => {
    await project.write('site/index.html', '<!doctype html><title>shop</title>\n');
    const result = await project.uigate([
      'pipeline',
      '--local',
      '--changed',
      'main',
      '--site',
      'site',
      '--no-serve',
      '--approve',
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /--changed since main: web changed: 2 of 4 tests/);
    assert.match(result.stderr, /whole suite.*narrowed: --changed [0-9a-f]{12}/);
    assert.doesNotMatch(
      result.stderr,
      /▸ (promoted|approved|pre-flight)/,
      'nothing reached the approval or production',
    );
  });

  it('runs the whole suite, and says why, when a global file changed', async () => {
    await project.write('package-lock.json', '{"lockfileVersion":3}\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'lockfile');
    const result = await project.uigate(['run', '--changed', 'main', '--json', '--no-serve']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /--changed since main: package-lock\.json changed: whole suite/);
    assert.equal((JSON.parse(result.stdout) as { total: number }).total, 4);
  });

  it('with no base, compares each component with the commit of its last passing run on the branch', async () => {
    git('checkout', '-q', 'main');
    const ran = async () => {
      const result = await project.uigate(['run', '--changed', '--json', '--no-serve']);
      assert.equal(result.code, 0, result.stderr);
      const { runId } = JSON.parse(result.stdout) as { runId: string };
      const { store } = await openEmbeddedStore(join(project.dir, '.uigate', 'dynamodb'));
      try {
        return { notice: result.stderr, run: (await store.getRun(runId))! };
      } finally {
        await store.close();
      }
    };
    // On the default branch itself, nothing ran yet: untested is not unchanged.
    const first = await ran();
    assert.match(first.notice, /web never passed on main; api never passed on main\): web, api changed: 3 of 4 tests/);
    assert.deepEqual(first.run.selection?.components, ['web', 'api']);
    // Recorded for the gate's componentsVerified and the approval: nothing released yet, so the
    // candidate's own runs count, and this one ran both components.
    assert.deepEqual(
      first.run.sinceRelease?.components.map((c) => `${c.name} ${c.state} ${c.runId}`),
      [`web passed ${first.run.runId}`, `api passed ${first.run.runId}`],
    );
    assert.match(first.notice, /nothing released to production yet; web passed \(run \d{8}T/);

    await project.write('services/api/price.ts', 'export const price = 2;\n');
    git('commit', '-q', '-am', 'api changes');
    const second = await ran();
    const since = `since ${first.run.commit!.slice(0, 12)} \\(run ${first.run.runId}\\)`;
    assert.match(second.notice, new RegExp(`web ${since}; api ${since}\\): api changed: 1 of 4 tests`));

    await project.write('apps/web/page.ts', 'export const page = 3;\n');
    git('commit', '-q', '-am', 'web changes on main');
    const third = await ran();
    // web was verified by the first run only; api by the second, which did not touch web.
    assert.match(
      third.notice,
      new RegExp(`web ${since}; api since ${second.run.commit!.slice(0, 12)}.*: web changed: 2 of 4 tests`),
    );
  });
});
