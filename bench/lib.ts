// Shared by the benchmarks: percentiles, the machine they ran on, and BENCHMARKS.md sections
// (each benchmark rewrites only its own section, between markers).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCHMARKS_FILE = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** The middle value; of an even count, the mean of the two middle ones (nearest-rank would take the lower). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}
export const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
export const s = (value: number) => `${(value / 1000).toFixed(1)} s`;

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

const HEADER = `# Benchmarks

Figures from \`npm run bench\` (each section also names its own command). Benchmarks are not
tests: CI never times anything. Ratios compare against a baseline measured in the same run.
`;

/** Replaces (or appends) the section named `id` in BENCHMARKS.md. */
export async function writeSection(id: string, markdown: string): Promise<void> {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(BENCHMARKS_FILE) ? await readFile(BENCHMARKS_FILE, 'utf8') : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(BENCHMARKS_FILE, text);
}

/**
 * uigate as a user installs it: compiled to dist/ (as `npm pack` does), started through a launcher
 * outside the repository, so a timed run does not pay for transpiling its TypeScript sources.
 */
export async function compiledUigate(dir: string): Promise<string> {
  const repo = fileURLToPath(new URL('../', import.meta.url));
  execFileSync(process.execPath, [
    join(repo, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(repo, 'tsconfig.build.json'),
  ]);
  const launcher = join(dir, 'uigate-compiled.mjs');
  const main = pathToFileURL(join(repo, 'dist/runner/cli/main.js')).href;
  await writeFile(
    launcher,
    `const { runFromProcess } = await import(${JSON.stringify(main)});\nawait runFromProcess();\n`,
  );
  return launcher;
}
