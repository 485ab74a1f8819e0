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

export interface ChangeCommit {
  commit: string;
  subject: string;
  /** The files it touched, renames with both paths. */
  files: string[];
}

/**
 * The commits in `head` and not in `base`, newest first, with the files each touched; undefined
 * when this clone lacks either commit (a shallow clone, a rewritten branch).
 */
export async function commitsBetween(cwd: string, base: string, head: string): Promise<ChangeCommit[] | undefined> {
  const [from, to] = await Promise.all([commitOf(cwd, base), commitOf(cwd, head)]);
  if (!from || !to) return undefined;
  // One git call: each commit's hash and subject, then its files as --name-status pairs.
  const text = await git(cwd, 'log', '-M', '--name-status', '--format=%x01%H%x00%s', `${from}..${to}`);
  return text
    .split('\x01')
    .filter(Boolean)
    .map((entry) => {
      const [head, ...lines] = entry.split('\n');
      const [commit, subject] = head!.split('\0') as [string, string];
      const files = lines
        .filter(Boolean)
        .flatMap((line) => line.split('\t').slice(1))
        .filter(Boolean);
      return { commit, subject, files: [...new Set(files)] };
    });
}

/** Whether `ancestor` is `commit` or comes before it: whether a run of `commit` contains the change. */
export async function contains(cwd: string, commit: string, ancestor: string): Promise<boolean> {
  try {
    await run('git', ['merge-base', '--is-ancestor', ancestor, commit], { cwd });
    return true;
  } catch {
    return false;
  }
}
