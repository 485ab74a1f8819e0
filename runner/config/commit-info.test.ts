import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitInfo } from './commit-info.ts';

describe('commitInfo', () => {
  let repo: string;
  let commit: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ada',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Grace',
        GIT_COMMITTER_EMAIL: 'grace@example.com',
      },
    }).trim();

  before(async () => {
    repo = await mkdtemp(join(tmpdir(), 'uigate-source-'));
    git('init', '-q', '-b', 'feature/login');
    await writeFile(join(repo, 'a.txt'), 'a');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'login\n\nCo-authored-by: Linus <linus@example.com>');
    commit = git('rev-parse', 'HEAD');
  });
  after(() => rm(repo, { recursive: true, force: true }));

  it('reads the commit, the branch, its author and the other names on it from git', async () => {
    const source = await commitInfo(repo, {});
    assert.equal(source.commit, commit);
    assert.equal(source.branch, 'feature/login');
    assert.equal(source.author, 'Ada <ada@example.com>');
    assert.deepEqual(source.contributors, ['Grace <grace@example.com>', 'Linus <linus@example.com>']);
  });

  it("takes CI's variables over git, and asks git for the author of CI's commit", async () => {
    const source = await commitInfo(repo, {
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: commit,
      GITHUB_REF_NAME: 'main',
      UIGATE_AUTHOR: 'Bot',
    });
    assert.equal(source.commit, commit);
    assert.equal(source.branch, 'main');
    assert.equal(source.author, 'Bot');
  });

  it('leaves out the branch of a detached checkout', async () => {
    git('checkout', '-q', '--detach');
    try {
      assert.equal((await commitInfo(repo, {})).branch, undefined);
    } finally {
      git('checkout', '-q', 'feature/login');
    }
  });

  it('records nothing, and throws nothing, outside a repository', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'uigate-no-git-'));
    try {
      const source = await commitInfo(outside, {});
      assert.equal(source.commit, undefined);
      assert.equal(source.author, undefined);
      assert.equal(source.contributors, undefined);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
