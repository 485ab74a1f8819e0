// Which CI service runs uigate, and the commit and branch it says it is building: a CI checkout is
// usually a detached HEAD, where git knows the commit but not the branch, and "since the last run
// on this branch" and flaky history need the branch. Each service's own variables, as its
// documentation names them; a pull request's source branch before the branch built.
//
// GitHub Actions: GITHUB_SHA, GITHUB_HEAD_REF (pull requests), GITHUB_REF_NAME ("Store information
// in variables", docs.github.com). AWS CodeBuild: CODEBUILD_RESOLVED_SOURCE_VERSION,
// CODEBUILD_WEBHOOK_HEAD_REF ("Environment variables in build environments"). GitLab CI/CD:
// CI_COMMIT_SHA, CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, CI_COMMIT_BRANCH ("Predefined CI/CD
// variables"). Jenkins (Git plugin, multibranch): GIT_COMMIT, CHANGE_BRANCH, BRANCH_NAME,
// GIT_BRANCH ("origin/main"). CircleCI: CIRCLE_SHA1, CIRCLE_BRANCH. Buildkite: BUILDKITE_COMMIT,
// BUILDKITE_BRANCH. Azure Pipelines: BUILD_SOURCEVERSION, SYSTEM_PULLREQUEST_SOURCEBRANCH,
// BUILD_SOURCEBRANCH ("refs/heads/main"). Bitbucket Pipelines: BITBUCKET_COMMIT, BITBUCKET_BRANCH.
// Travis CI: TRAVIS_COMMIT, TRAVIS_PULL_REQUEST_BRANCH, TRAVIS_BRANCH. Drone: DRONE_COMMIT_SHA,
// DRONE_SOURCE_BRANCH, DRONE_BRANCH.

type Env = NodeJS.ProcessEnv;

interface Provider {
  name: string;
  /** Whether this service runs the process. */
  detect: (env: Env) => boolean;
  commit: (env: Env) => string | undefined;
  branch: (env: Env) => string | undefined;
}

const first = (...values: (string | undefined)[]) => values.find((value) => value && value !== 'HEAD');
const heads = (ref: string | undefined) => ref?.replace(/^refs\/heads\//, '');

const PROVIDERS: Provider[] = [
  {
    name: 'github-actions',
    detect: (env) => env.GITHUB_ACTIONS === 'true',
    commit: (env) => env.GITHUB_SHA,
    branch: (env) => first(env.GITHUB_HEAD_REF, env.GITHUB_REF_TYPE === 'tag' ? undefined : env.GITHUB_REF_NAME),
  },
  {
    name: 'codebuild',
    detect: (env) => Boolean(env.CODEBUILD_BUILD_ID),
    commit: (env) => env.CODEBUILD_RESOLVED_SOURCE_VERSION,
    branch: (env) => heads(env.CODEBUILD_WEBHOOK_HEAD_REF),
  },
  {
    name: 'gitlab-ci',
    detect: (env) => env.GITLAB_CI === 'true',
    commit: (env) => env.CI_COMMIT_SHA,
    branch: (env) => first(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, env.CI_COMMIT_BRANCH),
  },
  {
    name: 'jenkins',
    detect: (env) => Boolean(env.JENKINS_URL),
    commit: (env) => env.GIT_COMMIT,
    branch: (env) =>
      first(
        env.CHANGE_BRANCH,
        env.BRANCH_NAME,
        env.GIT_LOCAL_BRANCH,
        env.GIT_BRANCH?.replace(/^(origin|refs\/heads)\//, ''),
      ),
  },
  {
    name: 'circleci',
    detect: (env) => env.CIRCLECI === 'true',
    commit: (env) => env.CIRCLE_SHA1,
    branch: (env) => env.CIRCLE_BRANCH,
  },
  {
    name: 'buildkite',
    detect: (env) => env.BUILDKITE === 'true',
    commit: (env) => first(env.BUILDKITE_COMMIT),
    branch: (env) => env.BUILDKITE_BRANCH,
  },
  {
    name: 'azure-pipelines',
    detect: (env) => env.TF_BUILD?.toLowerCase() === 'true',
    commit: (env) => env.BUILD_SOURCEVERSION,
    branch: (env) => first(heads(env.SYSTEM_PULLREQUEST_SOURCEBRANCH), heads(env.BUILD_SOURCEBRANCH)),
  },
  {
    name: 'bitbucket-pipelines',
    detect: (env) => Boolean(env.BITBUCKET_BUILD_NUMBER),
    commit: (env) => env.BITBUCKET_COMMIT,
    branch: (env) => env.BITBUCKET_BRANCH,
  },
  {
    name: 'travis-ci',
    detect: (env) => env.TRAVIS === 'true',
    commit: (env) => env.TRAVIS_COMMIT,
    branch: (env) => first(env.TRAVIS_PULL_REQUEST_BRANCH, env.TRAVIS_BRANCH),
  },
  {
    name: 'drone',
    detect: (env) => env.DRONE === 'true',
    commit: (env) => env.DRONE_COMMIT_SHA,
    branch: (env) => first(env.DRONE_SOURCE_BRANCH, env.DRONE_BRANCH),
  },
];

export interface CiFacts {
  /** The service, e.g. "gitlab-ci"; "ci" for one that only sets CI=true. */
  name: string;
  commit?: string;
  branch?: string;
}

/** The CI service running this process and what it says of the commit; undefined off CI. */
export function ciFacts(env: Env): CiFacts | undefined {
  const provider = PROVIDERS.find((candidate) => candidate.detect(env));
  if (!provider) return env.CI && env.CI !== 'false' ? { name: 'ci' } : undefined;
  const commit = provider.commit(env) || undefined;
  const branch = provider.branch(env) || undefined;
  return { name: provider.name, ...(commit ? { commit } : {}), ...(branch ? { branch } : {}) };
}
