// One Playwright HTML report for the whole run: every batch left a blob report in the artifacts
// (playwright/batch.ts) — on this machine, from Lambda, from CodeBuild — and Playwright's own
// `merge-reports` makes them the report users know, kept with the run's artifacts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { artifactStoreOf, type ArtifactSettings } from '../artifacts/from-env.ts';
import { LocalArtifacts } from '../artifacts/local-artifacts.ts';
import { contentTypeOf } from '../core/content-types.ts';
import { playwrightCli } from '../playwright/cli-path.ts';
import type { WarmPool } from '../playwright/warm-start.ts';
import { batchReportDir, BLOBS_DIR, REPORT_DIR } from '../artifacts/report-keys.ts';

export interface MergeOptions {
  cwd: string;
  /**
   * The project's Playwright config. merge-reports reads its test folder: batches ran the suite in
   * other folders (each Lambda environment unpacks it under its own /tmp, each CodeBuild build
   * checks it out under its own path), and Playwright refuses to merge blobs of different folders
   * unless a config says where the tests are.
   */
  playwrightConfig: string;
  runId: string;
  /** The run's scratch folder: blobs are gathered and the report written here first. */
  workDir: string;
  /** Where the blobs are, and where the report goes: each store is read, the first one written. */
  stores: readonly ArtifactStore[];
  /** Warm Playwright processes: merge-reports in one of them starts without loading Playwright. */
  warm?: Pick<WarmPool, 'take'>;
}

export interface MergeResult {
  /** The report's index, relative to the artifacts' root; absent when none was made. */
  key?: string;
  /** Blob reports merged. */
  reports: number;
  /** Why merge-reports made none. */
  error?: string;
}

/** Runs `playwright merge-reports --reporter html` over the run's blobs; the report's index key, if made. */
export async function mergeHtmlReport(options: MergeOptions): Promise<MergeResult> {
  const blobs = join(options.workDir, 'blobs');
  const out = join(options.workDir, REPORT_DIR);
  await rm(blobs, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
  await mkdir(blobs, { recursive: true });
  const names: string[] = [];
  for (const store of options.stores)
    for (const { key, body } of (await store.readAll?.(`${options.runId}/${BLOBS_DIR}/`)) ?? []) {
      names.push(key.split('/').pop()!);
      await writeFile(join(blobs, names.at(-1)!), body);
    }
  const reports = names.length;
  if (reports === 0) return { reports };
  // A lone local batch wrote the same report itself: no second Playwright process at the run's end.
  const made = reports === 1 ? batchReportDir(options.workDir, names[0]!) : undefined;
  const source = made && existsSync(join(made, 'index.html')) ? made : out;
  if (source === out) {
    const error = await mergeReports(options, blobs, out);
    if (error) return { reports, error };
  }
  await publish(source, options);
  return { key: `${options.runId}/${REPORT_DIR}/index.html`, reports };
}

/** Publishes the report's files to the first store, under `<runId>/report/`. */
async function publish(out: string, options: MergeOptions) {
  const target = options.stores[0]!;
  const entries = await readdir(out, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(out, path).split(sep).join('/');
    await target.putObject(`${options.runId}/${REPORT_DIR}/${rel}`, await readFile(path), contentTypeOf(rel));
  }
}

/** Playwright's merge-reports; undefined when it made the report, else its last words. */
function mergeReports(options: MergeOptions, blobs: string, out: string): Promise<string | undefined> {
  const args = ['merge-reports', '--config', options.playwrightConfig, '--reporter', 'html', blobs];
  const env = { PLAYWRIGHT_HTML_OUTPUT_DIR: out, PLAYWRIGHT_HTML_OPEN: 'never' };
  const warm = options.warm?.take(options.cwd);
  const child =
    warm && warm.hand(args, env)
      ? warm.child
      : spawn(process.execPath, [playwrightCli(options.cwd), ...args], {
          cwd: options.cwd,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  return new Promise((done) => {
    let said = '';
    const keep = (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', (error) => done(error.message));
    child.once('close', (code) => done(code === 0 ? undefined : lastWords(said) || `exit ${code}`));
  });
}

/** What a failed Playwright command said: its error's message, not the stack printed after it. */
export function lastWords(output: string): string {
  const lines = output.trim().split('\n');
  const error = lines.findIndex((line) => /^\s*(\w*Error|Error):/.test(line));
  const said = error >= 0 ? lines.slice(error) : lines;
  return said
    .filter((line) => !/^\s+at /.test(line))
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(' | ');
}

/**
 * Keeps the run's report, merged from the artifacts as the config names them: the bucket (where
 * Lambda and CodeBuild batches put their blobs, and the report goes) and this machine's folder
 * (local batches').
 */
export async function keepHtmlReport(
  settings: ArtifactSettings & { dir: string },
  run: Pick<MergeOptions, 'cwd' | 'playwrightConfig' | 'runId' | 'workDir' | 'warm'>,
): Promise<MergeResult> {
  const primary = artifactStoreOf(settings)!;
  const stores: ArtifactStore[] = settings.bucket ? [primary, new LocalArtifacts(settings.dir)] : [primary];
  try {
    return await mergeHtmlReport({ ...run, stores });
  } catch (error) {
    return { reports: 0, error: (error as Error).message };
  } finally {
    for (const store of stores) store.close?.();
  }
}
