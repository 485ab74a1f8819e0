// Commit, branch and author of the code under test, and the release it would become: from CI's
// variables where they exist, else git.
import { execFileSync } from 'node:child_process';
import { ENV } from '../core/env.ts';
import type { RunMeta } from '../core/model.ts';

function git(cwd: string, ...args: string[]): string | undefined {
  try {
    return (
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** What a run item records of its source (core/model.ts says what each field means). */
export type SourceInfo = Pick<
  RunMeta,
  'commit' | 'branch' | 'author' | 'contributors' | 'artifactDigest' | 'pipelineExecutionId'
>;

export function sourceInfo(cwd: string, env: NodeJS.ProcessEnv = process.env): SourceInfo {
  const commit =
    env[ENV.commit] || env.CODEBUILD_RESOLVED_SOURCE_VERSION || env.GITHUB_SHA || git(cwd, 'rev-parse', 'HEAD');
  const branch =
    env[ENV.branch] ||
    env.GITHUB_HEAD_REF ||
    env.GITHUB_REF_NAME ||
    env.CODEBUILD_WEBHOOK_HEAD_REF?.replace(/^refs\/heads\//, '') ||
    git(cwd, 'rev-parse', '--abbrev-ref', 'HEAD');
  const author = env[ENV.author] || (commit ? git(cwd, 'log', '-1', '--format=%an <%ae>', commit) : undefined);
  return {
    commit,
    branch: branch === 'HEAD' ? undefined : branch,
    author,
    ...contributorsOf(cwd, commit, author),
    artifactDigest: env[ENV.artifactDigest] || undefined,
    pipelineExecutionId: env[ENV.pipelineExecutionId] || undefined,
  };
}

/** Who else put their name on the commit: its committer and co-authors (git's own trailer parsing). */
function contributorsOf(cwd: string, commit: string | undefined, author: string | undefined) {
  if (!commit) return {};
  const lines = git(cwd, 'log', '-1', '--format=%cn <%ce>%n%(trailers:key=Co-authored-by,valueonly)', commit);
  const contributors = [...new Set((lines ?? '').split('\n').map((line) => line.trim()))].filter(
    (line) => line && line !== author,
  );
  return contributors.length ? { contributors } : {};
}
