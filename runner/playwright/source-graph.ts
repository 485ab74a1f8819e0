// The project files Playwright loads for a suite — the config, the test files and whatever they
// import by relative path — and the packages they import by name. Read as text (import specifiers
// only), never run: for finding what a suite needs (a test bundle) or does (worker indexes).
import { builtinModules } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';

const SOURCE = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
const BUILTIN = new Set(builtinModules);
/** A suite larger than this is not read through; callers then assume the worst. */
const MAX_FILES = 20_000;

export interface SourceGraph {
  /** Absolute paths of the files read. */
  files: string[];
  /** Package names imported by those files (`@scope/name` or `name`). */
  packages: Set<string>;
  /** More than MAX_FILES files: the graph is incomplete. */
  truncated: boolean;
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

async function resolveRelative(from: string, spec: string): Promise<string | undefined> {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.[cm]?js$/, '');
  const candidates = SOURCE.includes(extname(base))
    ? [base, ...['.ts', '.tsx', '.mts', '.cts'].map((ext) => stem + ext)]
    : [...SOURCE.map((ext) => base + ext), ...SOURCE.map((ext) => resolve(base, `index${ext}`))];
  for (const candidate of candidates) if (await exists(candidate)) return candidate;
  return undefined;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; builtins and URLs → undefined. */
export function packageOf(spec: string): string | undefined {
  if (spec.startsWith('node:') || /^[a-z]+:/.test(spec) || spec.startsWith('#') || spec.startsWith('/'))
    return undefined;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTIN.has(name) ? undefined : name;
}

/** Walks from `entries`; `visit` sees each file's text as it is read. */
export async function sourceGraph(
  entries: readonly string[],
  visit?: (file: string, text: string) => void,
): Promise<SourceGraph> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [...new Set(entries)];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    if (seen.size >= MAX_FILES) return { files: [...seen], packages, truncated: true };
    seen.add(file);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    visit?.(file, text);
    for (const [, , spec] of text.matchAll(IMPORT)) {
      if (spec!.startsWith('.')) {
        const target = await resolveRelative(file, spec!);
        if (target && !seen.has(target)) queue.push(target);
      } else {
        const name = packageOf(spec!);
        if (name) packages.add(name);
      }
    }
  }
  return { files: [...seen], packages, truncated: false };
}
