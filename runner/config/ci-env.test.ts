import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ciFacts } from './ci-env.ts';
import { commitInfo } from './commit-info.ts';

const SHA = '4f9c1e2d3b4a59687766554433221100ffeeddcc';

/** Each service as it sets its variables on a pull request's build and on a branch's (a detached HEAD in both). */
const CASES: [name: string, env: Record<string, string>, branch: string][] = [
  [
    'github-actions',
    {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_SHA: SHA,
      GITHUB_HEAD_REF: 'feature/pay',
      GITHUB_REF_NAME: '12/merge',
    },
    'feature/pay',
  ],
  [
    'github-actions',
    {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_SHA: SHA,
      GITHUB_HEAD_REF: '',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
    },
    'main',
  ],
  [
    'codebuild',
    {
      CODEBUILD_BUILD_ID: 'uigate:1',
      CODEBUILD_RESOLVED_SOURCE_VERSION: SHA,
      CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/feature/pay',
    },
    'feature/pay',
  ],
  [
    'gitlab-ci',
    {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_COMMIT_SHA: SHA,
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/pay',
      CI_COMMIT_REF_NAME: 'feature/pay',
    },
    'feature/pay',
  ],
  [
    'gitlab-ci',
    { GITLAB_CI: 'true', CI: 'true', CI_COMMIT_SHA: SHA, CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main' },
    'main',
  ],
  [
    'jenkins',
    { JENKINS_URL: 'https://ci.example.com/', GIT_COMMIT: SHA, CHANGE_BRANCH: 'feature/pay', BRANCH_NAME: 'PR-12' },
    'feature/pay',
  ],
  ['jenkins', { JENKINS_URL: 'https://ci.example.com/', GIT_COMMIT: SHA, GIT_BRANCH: 'origin/main' }, 'main'],
  ['circleci', { CIRCLECI: 'true', CI: 'true', CIRCLE_SHA1: SHA, CIRCLE_BRANCH: 'feature/pay' }, 'feature/pay'],
  [
    'buildkite',
    { BUILDKITE: 'true', CI: 'true', BUILDKITE_COMMIT: SHA, BUILDKITE_BRANCH: 'feature/pay' },
    'feature/pay',
  ],
  [
    'azure-pipelines',
    {
      TF_BUILD: 'True',
      BUILD_SOURCEVERSION: SHA,
      SYSTEM_PULLREQUEST_SOURCEBRANCH: 'refs/heads/feature/pay',
      BUILD_SOURCEBRANCH: 'refs/pull/12/merge',
    },
    'feature/pay',
  ],
  [
    'azure-pipelines',
    {
      TF_BUILD: 'True',
      BUILD_SOURCEVERSION: SHA,
      BUILD_SOURCEBRANCH: 'refs/heads/release/2.0',
      BUILD_SOURCEBRANCHNAME: '2.0',
    },
    'release/2.0',
  ],
  [
    'bitbucket-pipelines',
    { BITBUCKET_BUILD_NUMBER: '7', CI: 'true', BITBUCKET_COMMIT: SHA, BITBUCKET_BRANCH: 'feature/pay' },
    'feature/pay',
  ],
  [
    'travis-ci',
    {
      TRAVIS: 'true',
      CI: 'true',
      TRAVIS_COMMIT: SHA,
      TRAVIS_PULL_REQUEST_BRANCH: 'feature/pay',
      TRAVIS_BRANCH: 'main',
    },
    'feature/pay',
  ],
  [
    'drone',
    { DRONE: 'true', CI: 'true', DRONE_COMMIT_SHA: SHA, DRONE_SOURCE_BRANCH: 'feature/pay', DRONE_BRANCH: 'main' },
    'feature/pay',
  ],
];

describe('CI services: which one, and the commit and branch it builds', () => {
  for (const [name, env, branch] of CASES) {
    it(`${name}: ${branch}`, async () => {
      assert.deepEqual(ciFacts(env), { name, commit: SHA, branch });
      // What a run records, in a checkout git cannot answer for (no repository here: a detached HEAD says less).
      const info = await commitInfo('/nonexistent-checkout', env);
      assert.equal(info.commit, SHA);
      assert.equal(info.branch, branch);
    });
  }

  it('names a service it does not know only by CI=true, and nothing off CI', () => {
    assert.deepEqual(ciFacts({ CI: 'true' }), { name: 'ci' });
    assert.equal(ciFacts({ CI: 'false' }), undefined);
    assert.equal(ciFacts({}), undefined);
  });

  it("lets uigate's own variables win over the service's", async () => {
    const info = await commitInfo('/nonexistent-checkout', {
      ...CASES[0]![1],
      UIGATE_BRANCH: 'release',
      UIGATE_COMMIT: 'abc123',
    });
    assert.deepEqual([info.commit, info.branch], ['abc123', 'release']);
  });
});
