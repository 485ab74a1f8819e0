// Everything a run needs to know before it exists in the store, and everything that can be wrong
// with its input, found here: the config, Playwright's listing, the selection (with setup
// projects and `.only`), the executors it can use and how the local one runs several at once.
import { resolve } from 'node:path';
import { regionChoice } from '../aws/region.ts';
import { narrowToChange, type ChangeNarrowing } from './changed.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { ResolvedConfig } from '../config/config.ts';
import { UsageError } from '../core/errors.ts';
import type { ExecutorName, RunSelection, UnitRef } from '../core/model.ts';
import { collision, localParallelism, type LocalParallelism } from '../executors/local-parallelism.ts';
import { checkExecutors, type ExecutorFlags } from '../executors/from-config.ts';
import { executorNames } from '../executors/names.ts';
import { selectUnits } from '../plan/plan.ts';
import { listSelection, split, type ListedSelection, type ListRequest } from './list-selection.ts';
import { commitInfo, type CommitInfo } from '../config/commit-info.ts';
import type { Listing } from '../playwright/listing.ts';
import { findWorkerIndexUse } from '../playwright/worker-index-use.ts';

/** What a run is asked to cover and where: `uigate run`'s selection and executor flags. */
export interface RunRequest extends ExecutorFlags, Pick<ListRequest, 'files' | 'shard' | 'onlyChanged' | 'lastFailed'> {
  config?: string;
  module?: string[];
  project?: string[];
  grep?: string;
  grepInvert?: string;
  /** `--changed [base]`: only what a mono-repo change needs (true: since the default branch). */
  changed?: string | true;
}

export interface PreparedRun {
  config: ResolvedConfig;
  listing: Listing;
  /** The selected units, setup and teardown projects' included. */
  units: UnitRef[];
  executors: ExecutorName[];
  local: LocalParallelism;
  /** How the run was narrowed, kept on it for the gate. */
  selection?: RunSelection;
  /** The commit under test and who made it, as a new run records them. */
  commit: CommitInfo;
  /** Lines worth telling before the run starts. */
  notices: string[];
  browserOf(project: string): string;
}

export interface PrepareIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The store's runs, for `--changed` with no base (where each component last passed). */
  runsFor?: (config: ResolvedConfig) => Promise<Pick<ResultStore, 'listRuns'>>;
}

/**
 * `listed` is the config and listing when the caller started them already (run/list-selection.ts):
 * the CLI does, so that Playwright lists the suite while the rest of `uigate run` loads.
 */
export async function prepareRun(
  request: RunRequest,
  io: PrepareIO,
  listed?: Promise<ListedSelection>,
): Promise<PreparedRun> {
  const executors = executorNames(request);
  const [{ config, listing, units: listedUnits }, commit] = await Promise.all([
    listed ?? listSelection(request, io),
    commitInfo(io.cwd, io.env),
  ]);
  const projects = split(request.project);
  if (listing.focused && listing.forbidOnly)
    throw new UsageError(
      "a test or suite is focused with .only, and playwright.config's forbidOnly refuses that: remove the .only",
    );
  const { dropped, missing } = browsersMissing(listing);
  const unfocused = new Set(listedUnits.filter((_, i) => listing.tests[i]!.focused === false).map((unit) => unit.key));
  const selected = selectUnits(
    listedUnits,
    { modules: split(request.module), projects },
    { projects: listing.projects, dropped, missing, unfocused },
  );
  const change =
    request.changed === undefined
      ? undefined
      : await narrowToChange(request.changed, io.cwd, config, selected, listing, {
          store: request.changed === true ? await io.runsFor?.(config) : undefined,
          branch: commit.branch,
        });
  const units = change?.units ?? selected;
  const browserOf = browsersOf(listing);
  checkExecutors(executors, config, request, units, browserOf);
  const workers = request.workers ?? (config.executors.local.workers || listing.workers);
  const local = await localPlan(listing, config, workers, units);
  const region = usesAws(config, executors, request.lambdaEndpoint) ? regionChoice() : undefined;
  const notices = [
    ...(change ? [change.notice] : []),
    ...(region ? [`AWS region ${region.region} (${region.from})`] : []),
    ...(projects?.length ? [] : dropped.map((browser) => `skipping project ${browser.message}`)),
    ...(listing.grouping === 'file'
      ? [
          `this Playwright (${listing.playwrightVersion}) does not show its test groups; whole files are dispatched together`,
        ]
      : []),
    ...(local.reason && executors.includes('local')
      ? [`one Playwright process with ${workers} workers, not ${workers} side by side: ${local.reason}`]
      : []),
  ];
  return {
    config,
    listing,
    units,
    executors,
    local,
    selection: selectionOf(request, listing, change),
    commit,
    notices,
    browserOf,
  };
}

/** Decides how the local executor runs `workers` at once for this suite (executors/local-parallelism.ts). */
async function localPlan(
  listing: Listing,
  config: ResolvedConfig,
  workers: number,
  units: readonly UnitRef[],
): Promise<LocalParallelism> {
  const sideBySide = config.executors.local.sideBySide;
  if (sideBySide !== 'auto' || workers === 1) return localParallelism(workers, sideBySide, undefined);
  const dependencies = [...new Set(units.filter((unit) => unit.role === 'dependency').map((unit) => unit.project))];
  const why = collision(listing.processSetup, await findWorkerIndexUse(suiteEntries(listing)), dependencies);
  return localParallelism(workers, sideBySide, why);
}

/** Lists the files Playwright loads first: the test files and the config. */
export function suiteEntries(listing: Pick<Listing, 'tests' | 'rootDir' | 'configFile'>): string[] {
  const entries = [...new Set(listing.tests.map((test) => resolve(listing.rootDir, test.file)))];
  if (listing.configFile) entries.push(listing.configFile);
  return entries;
}

/**
 * Browsers not there: of projects the browser helper left out of the config (dropped), and of
 * projects the config has (missing, refused when a run needs them).
 */
function browsersMissing(listing: Pick<Listing, 'projects' | 'missingBrowsers'>) {
  const known = new Set(listing.projects.map((project) => project.name));
  const dropped = listing.missingBrowsers
    .filter((entry) => !known.has(entry.project))
    .map((entry) => ({ name: entry.project, message: entry.message }));
  const missing = listing.missingBrowsers.filter((entry) => known.has(entry.project));
  return { dropped, missing };
}

/** Maps each project to its browser (Playwright's default is chromium), for the executors that run only some. */
function browsersOf(listing: Pick<Listing, 'projects'>): (project: string) => string {
  const browsers = new Map(listing.projects.map((project) => [project.name, project.browserName ?? 'chromium']));
  return (project) => browsers.get(project) ?? project;
}

/** Records what narrowed the run: a gate may refuse a run that left tests out. */
function selectionOf(
  request: RunRequest,
  listing: Pick<Listing, 'focused'>,
  change?: Pick<ChangeNarrowing, 'since' | 'components'>,
): RunSelection | undefined {
  const selection: RunSelection = {
    ...(change?.since ? { changedSince: change.since, components: change.components ?? [] } : {}),
    ...(listing.focused ? { focused: true as const } : {}),
    ...(split(request.module)?.length ? { modules: split(request.module) } : {}),
    ...(split(request.project)?.length ? { projects: split(request.project) } : {}),
    ...(request.grep !== undefined ? { grep: request.grep } : {}),
    ...(request.grepInvert !== undefined ? { grepInvert: request.grepInvert } : {}),
    ...(request.files?.length ? { files: request.files } : {}),
    ...(request.shard ? { shard: request.shard } : {}),
    ...(request.onlyChanged !== undefined ? { onlyChanged: request.onlyChanged } : {}),
    ...(request.lastFailed ? { lastFailed: true as const } : {}),
    ...(request.updateSnapshots && request.updateSnapshots !== 'none'
      ? { updateSnapshots: request.updateSnapshots }
      : {}),
  };
  return Object.keys(selection).length ? selection : undefined;
}

/** Whether the run talks to AWS at all: a DynamoDB store, an artifacts bucket, Lambda or CodeBuild. */
function usesAws(config: ResolvedConfig, executors: readonly string[], lambdaEndpoint?: string): boolean {
  return (
    (!config.store.embedded && !config.store.endpoint) ||
    Boolean(config.artifacts.bucket && !config.artifacts.endpoint) ||
    executors.includes('codebuild') ||
    (executors.includes('lambda') && !(lambdaEndpoint ?? config.executors.lambda.endpoint))
  );
}
