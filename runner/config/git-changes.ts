// The files a change touched, between two commits, as git says: from their merge base (so a
// push of several commits counts every one of them, and a branch is compared with where it left
// the base, not with what the base did since), renames counting both their old and new paths.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
}

export type ChangedFiles =
  /** `files` relative to the repository's top folder, `root`. */
  | { ok: true; base: string; head: string; files: string[]; root: string }
  /** The base is not in this clone (a shallow CI clone, a rewritten branch): nothing can be said. */
  | { ok: false; base: string; head: string; reason: string };

/** Resolves `ref` to a commit, or undefined when this clone does not have it. */
async function commitOf(cwd: string, ref: string): Promise<string | undefined> {
  return git(cwd, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`).catch(() => undefined);
}

export async function changedFiles(cwd: string, base: string, head = 'HEAD'): Promise<ChangedFiles> {
  const headCommit = await commitOf(cwd, head);
  if (!headCommit) return { ok: false, base, head, reason: `${head} is not a commit in this clone` };
  const baseCommit = await commitOf(cwd, base);
  if (!baseCommit)
    return {
      ok: false,
      base,
      head: headCommit,
      reason: `the base ${base} is not in this clone (a shallow clone? fetch it, e.g. git fetch --deepen=100)`,
    };
  const mergeBase = await git(cwd, 'merge-base', baseCommit, headCommit).catch(() => undefined);
  if (!mergeBase)
    return {
      ok: false,
      base: baseCommit,
      head: headCommit,
      reason: `${base} and ${head} share no history in this clone`,
    };
  const listed = await git(cwd, 'diff', '--name-status', '-M', '-z', mergeBase, headCommit);
  const parts = listed.split('\0').filter(Boolean);
  const files = new Set<string>();
  for (let i = 0; i < parts.length;) {
    const status = parts[i++]!;
    // Renames and copies name two paths: both sides changed.
    const paths = /^[RC]/.test(status) ? 2 : 1;
    for (let n = 0; n < paths; n++) files.add(parts[i++]!);
  }
  return {
    ok: true,
    base: mergeBase,
    head: headCommit,
    files: [...files].sort(),
    root: await git(cwd, 'rev-parse', '--show-toplevel'),
  };
}

/** The default branch as the clone knows it (origin/HEAD), else origin/main, origin/master, main or master. */
export async function defaultBranch(cwd: string): Promise<string | undefined> {
  const quiet = (...args: string[]) => git(cwd, ...args).catch(() => '');
  const originHead = await quiet('symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD');
  if (originHead) return originHead;
  for (const candidate of ['origin/main', 'origin/master', 'main', 'master'])
    if (await quiet('rev-parse', '--verify', '--quiet', `${candidate}^{commit}`)) return candidate;
  return undefined;
}
