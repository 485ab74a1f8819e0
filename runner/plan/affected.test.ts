// `uigate affected` on a real git repository: a mono-repo with two components, each case a branch
// from main, asked as a pipeline would (--json).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runNode, UIGATE_BIN } from '../testing/fixture-project.ts';
import { affectedBy } from './affected.ts';

const CONFIG = `export default {
  components: {
    web: { paths: ['apps/web/**'], tests: { grep: '@web' } },
    api: { paths: ['services/api/**'], tests: { modules: ['api-*'] } },
  },
  changes: { global: ['tests/support/**'] },
};
`;

const FILES: Record<string, string> = {
  'uigate.config.mjs': CONFIG,
  'package-lock.json': '{}\n',
  'apps/web/page.ts': 'export const page = 1;\n',
  'apps/web/shared.ts': 'export const shared = "a helper both could own";\n',
  'services/api/handler.ts': 'export const handler = 1;\n',
  'tests/support/fixtures.ts': 'export const fixture = 1;\n',
  'docs/readme.md': '# docs\n',
};

interface Answer {
  base: string;
  head: string;
  files: string[];
  components: string[];
  wholeSuite: boolean;
  reason: string;
}

describe('uigate affected: changed files → components → the tests that would run', () => {
  let repo: string;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  };
  const commit = (message: string) => {
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', message);
  };
  const affected = async (cwd: string, ...args: string[]) => {
    const result = await runNode([UIGATE_BIN, 'affected', '--json', ...args], cwd);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Answer;
  };
  /** A branch from main with these commits; answers what `affected` says of it against main. */
  const branch = async (name: string, commits: (() => Promise<void> | void)[]) => {
    git(repo, 'checkout', '-q', '-b', name, 'main');
    for (const [i, change] of commits.entries()) {
      await change();
      commit(`${name} ${i}`);
    }
    const answer = await affected(repo, '--base', 'main');
    git(repo, 'checkout', '-q', 'main');
    return answer;
  };

  before(async () => {
    repo = await mkdtemp(join(tmpdir(), 'uigate-affected-'));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.email', 'ci@example.com');
    git(repo, 'config', 'user.name', 'CI');
    for (const [path, text] of Object.entries(FILES)) await write(path, text);
    commit('start');
    // main moves on after the branches leave it: what main did is not the branches' change.
  });
  after(() => rm(repo, { recursive: true, force: true }));

  it('one component changed: its name, narrowed', async () => {
    const answer = await branch('web-only', [() => write('apps/web/page.ts', 'export const page = 2;\n')]);
    assert.deepEqual([answer.files, answer.components, answer.wholeSuite], [['apps/web/page.ts'], ['web'], false]);
    assert.equal(answer.reason, 'web changed');
  });

  it('two components, in two commits of one push: both, from the merge base', async () => {
    const answer = await branch('both', [
      () => write('apps/web/page.ts', 'export const page = 3;\n'),
      () => write('services/api/handler.ts', 'export const handler = 2;\n'),
    ]);
    assert.deepEqual([answer.components, answer.wholeSuite], [['web', 'api'], false]);
    assert.deepEqual(answer.files, ['apps/web/page.ts', 'services/api/handler.ts']);
  });

  it('a global file (the lockfile, shared test support): the whole suite, and why', async () => {
    const lock = await branch('lockfile', [() => write('package-lock.json', '{"lockfileVersion":3}\n')]);
    assert.deepEqual([lock.wholeSuite, lock.reason], [true, 'package-lock.json changed: whole suite']);
    const support = await branch('support', [() => write('tests/support/fixtures.ts', 'export const fixture = 2;\n')]);
    assert.deepEqual([support.wholeSuite, support.reason], [true, 'tests/support/fixtures.ts changed: whole suite']);
  });

  it('a file no component owns: the whole suite, as changes.unmapped defaults to', async () => {
    const answer = await branch('docs', [() => write('docs/readme.md', '# more docs\n')]);
    assert.equal(answer.wholeSuite, true);
    assert.equal(answer.reason, "docs/readme.md belongs to no component: whole suite (changes.unmapped: 'all')");
  });

  it('a rename across components: both, the one it left and the one it joined', async () => {
    const answer = await branch('move', [
      () => {
        git(repo, 'mv', 'apps/web/shared.ts', 'services/api/shared.ts');
      },
    ]);
    assert.deepEqual(answer.files, ['apps/web/shared.ts', 'services/api/shared.ts']);
    assert.deepEqual([answer.components, answer.wholeSuite], [['web', 'api'], false]);
  });

  it('a base missing from a shallow clone: the whole suite, saying the base is not there', async () => {
    const first = git(repo, 'rev-list', '--max-parents=0', 'main');
    git(repo, 'checkout', '-q', 'web-only');
    const shallow = join(repo, '..', `${repo.split('/').pop()}-shallow`);
    git(dirname(repo), 'clone', '-q', '--depth', '1', '--branch', 'web-only', `file://${repo}`, shallow);
    git(repo, 'checkout', '-q', 'main');
    try {
      const answer = await affected(shallow, '--base', first);
      assert.equal(answer.wholeSuite, true);
      assert.match(answer.reason, new RegExp(`the base ${first} is not in this clone .*: whole suite`));
      assert.deepEqual(answer.files, []);
    } finally {
      await rm(shallow, { recursive: true, force: true });
    }
  });

  it('says, for a person, the tests each touched component has', async () => {
    git(repo, 'checkout', '-q', 'both');
    const result = await runNode([UIGATE_BIN, 'affected', '--base', 'main'], repo);
    git(repo, 'checkout', '-q', 'main');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /narrowed: web, api changed\n {2}tests of web: --grep @web\n {2}tests of api: --module api-\*/,
    );
  });

  it('refuses a component without tests in one line, exit 2', async () => {
    await writeFile(
      join(repo, 'uigate.config.mjs'),
      "export default { components: { web: { paths: ['apps/web/**'], tests: {} } } };\n",
    );
    const result = await runNode([UIGATE_BIN, 'affected', '--base', 'main'], repo);
    await writeFile(join(repo, 'uigate.config.mjs'), CONFIG);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /components\.web\.tests: name the tests that cover it/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});

describe('affectedBy, without git', () => {
  it("leaves out files no component owns when changes.unmapped is 'ignore'", () => {
    const components = { web: { paths: ['apps/web/**'], tests: { grep: '@web' } } };
    assert.deepEqual(affectedBy(['docs/readme.md'], components, { global: [], unmapped: 'ignore' }), {
      components: [],
      wholeSuite: false,
      reason: 'no component changed (changes.unmapped: ignore)',
    });
    assert.deepEqual(
      affectedBy(['docs/a.md', 'apps/web/x.ts'], components, { global: [], unmapped: 'ignore' }).components,
      ['web'],
    );
  });
});
