// Commit, branch and author of the code under test, and the release it would become: from CI's
// variables where they exist (ci-env.ts), else git.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ENV } from '../core/env.ts';
import type { RunMeta } from '../core/model.ts';
import { ciFacts } from './ci-env.ts';

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd, encoding: 'utf8' })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What a run item records of its source (core/model.ts says what each field means). */
export type CommitInfo = Pick<
  RunMeta,
  | 'commit'
  | 'branch'
  | 'author'
  | 'contributors'
  | 'artifactDigest'
  | 'pipelineExecutionId'
  | 'pipelineName'
  | 'commitMessage'
>;

/** Asks git what a run records of its commit, two questions at a time, while Playwright lists the suite (run/prepare.ts). */
export async function commitInfo(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<CommitInfo> {
  const ci = ciFacts(env);
  const [commit, branch] = await Promise.all([
    env[ENV.commit] || ci?.commit || git(cwd, 'rev-parse', 'HEAD'),
    env[ENV.branch] || ci?.branch || git(cwd, 'rev-parse', '--abbrev-ref', 'HEAD'),
  ]);
  const [author, lines, subject] = await Promise.all([
    env[ENV.author] || (commit ? git(cwd, 'log', '-1', '--format=%an <%ae>', commit) : undefined),
    commit ? git(cwd, 'log', '-1', '--format=%cn <%ce>%n%(trailers:key=Co-authored-by,valueonly)', commit) : undefined,
    env[ENV.commitMessage] || (commit ? git(cwd, 'log', '-1', '--format=%s', commit) : undefined),
  ]);
  return {
    commit,
    branch: branch === 'HEAD' ? undefined : branch,
    author,
    ...contributorsOf(lines, author),
    artifactDigest: env[ENV.artifactDigest] || undefined,
    pipelineExecutionId: env[ENV.pipelineExecutionId] || undefined,
    pipelineName: env[ENV.pipelineName] || undefined,
    commitMessage: subject?.split('\n')[0]?.slice(0, 200) || undefined,
  };
}

/** Finds who else put their name on the commit: its committer and co-authors (git's own trailer parsing). */
function contributorsOf(lines: string | undefined, author: string | undefined) {
  const contributors = [...new Set((lines ?? '').split('\n').map((line) => line.trim()))].filter(
    (line) => line && line !== author,
  );
  return contributors.length ? { contributors } : {};
}
