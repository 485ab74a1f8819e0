// The first half of preparing a run: the config and Playwright's listing of the suite. Kept apart
// from prepare.ts, and light to load, so the CLI can start Playwright's listing process before it
// loads everything else `uigate run` needs (the SDK clients, the executors, the status site):
// the listing takes a second or more, and the loading then happens beside it.
import { loadConfig, type ResolvedConfig } from '../config/config.ts';
import { UsageError } from '../core/errors.ts';
import { baseUrlEnv } from '../core/env.ts';
import { executorNames } from '../executors/names.ts';
import { listTests, type ListResult } from '../playwright/list.ts';

/** What of `uigate run`'s request decides the listing. */
export interface ListRequest {
  config?: string;
  executor?: string[];
  project?: string[];
  grep?: string;
  grepInvert?: string;
  baseUrl?: string;
  /** Playwright's own filters: `file:line` and folder filters, --shard, --only-changed, --last-failed. */
  files?: string[];
  shard?: string;
  onlyChanged?: string | true;
  lastFailed?: boolean;
  /** Playwright's --repeat-each: each test listed that many times, a unit each. */
  repeatEach?: number;
  /** Playwright's -u: refused where its files would be written on a machine that is gone. */
  updateSnapshots?: string;
}

type ListIO = { cwd: string; env: NodeJS.ProcessEnv };

export interface ListedSelection extends ListResult {
  config: ResolvedConfig;
}

/** `-m a,b -m c` → ['a', 'b', 'c']. */
export const split = (values: readonly string[] | undefined) =>
  values
    ?.flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);

export async function listSelection(request: ListRequest, io: ListIO): Promise<ListedSelection> {
  return (await startListing(request, io)).listed;
}

/**
 * Loads the config and starts the listing; resolves as soon as Playwright is listing, so the caller
 * can do other work (load modules) while the listing process runs.
 */
export async function startListing(
  request: ListRequest,
  io: ListIO,
): Promise<{ config: ResolvedConfig; listed: Promise<ListedSelection> }> {
  // What can be refused without the suite is refused before Playwright is started for it.
  const executors = executorNames(request);
  if (request.updateSnapshots && request.updateSnapshots !== 'none' && executors.some((name) => name !== 'local'))
    throw new UsageError(
      `--update-snapshots writes the snapshots on the machine that ran the test, and ${executors.find((name) => name !== 'local')}'s is gone when the batch ends: run it with --executor local, or accept a run's images with uigate baselines --run <id> --write`,
    );
  if (request.baseUrl && !isHttpUrl(request.baseUrl))
    throw new UsageError(`--base-url "${request.baseUrl}" is not an http(s) URL; pass e.g. https://test.example.com`);
  const config = await loadConfig(io.cwd, request.config, io.env);
  const listed = listTests({
    cwd: io.cwd,
    playwrightConfig: config.playwrightConfig,
    grep: request.grep,
    grepInvert: request.grepInvert,
    projects: split(request.project),
    filters: {
      files: request.files,
      shard: request.shard,
      onlyChanged: request.onlyChanged,
      lastFailed: request.lastFailed,
      repeatEach: request.repeatEach,
    },
    env: baseUrlEnv(request),
  }).then((result) => ({ config, ...result }));
  return { config, listed };
}

/** Checks a URL the browser can open: parsed as WHATWG does (so `http://[::1` is refused), http or https. */
function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, host } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && host !== '';
}
