// Builds the executors a run asked for (`--executor`, in order of preference) from the config
// and flags, and refuses combinations that cannot work before any run exists.
import type { ResolvedConfig } from '../config/config.ts';
import { UsageError } from '../core/errors.ts';
import { baseUrlEnv } from '../core/env.ts';
import type { ExecutorName, UnitRef } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { StoreAccess, StoreAddress } from '../store/store-address.ts';
import { LAMBDA_BROWSERS, type BatchEvent } from '../lambda/event.ts';
import { assignExecutors } from '../plan/plan.ts';
import type { Executor } from './executor.ts';
import type { LocalParallelism } from './local-parallelism.ts';
import type { TestSource } from '../lambda/test-source.ts';
import { LocalExecutor } from './local.ts';
import type { WarmPool } from '../playwright/warm-start.ts';
import { testFlagArgs, testFlagsOf, type TestFlags } from '../playwright/test-flags.ts';
import { isLoopbackUrl } from '../core/local-request.ts';

/** The flags that shape where batches run, and Playwright's own for how their tests run. */
export interface ExecutorFlags extends TestFlags {
  executor?: string[];
  workers?: number;
  baseUrl?: string;
  lambdaEndpoint?: string;
  lambdaFunction?: string;
  lambdaConcurrency?: number;
  /** With Lambda and CodeBuild both: the cheapest split expected to end within this (`10m`). */
  deadline?: string;
}

const isLoopback = (url: string | undefined) => url !== undefined && isLoopbackUrl(url);

/** Tells the Lambda handler where to put artifacts, or says why it cannot. */
function lambdaArtifacts(config: ResolvedConfig, endpoint: string | undefined): BatchEvent['artifacts'] {
  const { bucket, prefix, endpoint: s3 } = config.artifacts;
  if (bucket) return { bucket, prefix, endpoint: s3 };
  // The local endpoint runs on this machine, so it can write where a local run would.
  if (isLoopback(endpoint)) return { dir: config.artifacts.dir };
  throw new UsageError(
    'the lambda executor needs artifacts.bucket in uigate.config.ts (or UIGATE_ARTIFACTS_BUCKET): Lambda’s disk does not outlive an invocation',
  );
}

/** Which browsers an executor can run, known before it exists. */
const runsBrowser = (name: ExecutorName, browser: string) => name !== 'lambda' || LAMBDA_BROWSERS.includes(browser);

/** Checks what can be checked before the run is created. `browserOf` names each project's browser. */
export function checkExecutors(
  names: readonly ExecutorName[],
  config: ResolvedConfig,
  flags: ExecutorFlags,
  units: readonly UnitRef[] = [],
  browserOf?: (project: string) => string,
): void {
  assignExecutors(
    units,
    names.map((name) => ({ name, supports: (browser: string) => runsBrowser(name, browser) })),
    browserOf,
  );
  if (names.includes('codebuild')) {
    if (config.store.embedded || isLoopback(config.store.endpoint)) {
      throw new UsageError(
        'the codebuild executor needs the results table in AWS: point store at it (see infra/), not the embedded store on this machine',
      );
    }
    if (!config.artifacts.bucket)
      throw new UsageError(
        'the codebuild executor needs artifacts.bucket in uigate.config.ts (or UIGATE_ARTIFACTS_BUCKET)',
      );
  }
  if (!names.includes('lambda')) return;
  const endpoint = flags.lambdaEndpoint ?? config.executors.lambda.endpoint;
  if (endpoint && !/^https?:\/\//.test(endpoint))
    throw new UsageError(`--lambda-endpoint "${endpoint}" is not an http(s) URL; pass e.g. http://127.0.0.1:9001`);
  if (!isLoopback(endpoint) && (config.store.embedded || isLoopback(config.store.endpoint))) {
    throw new UsageError(
      'the lambda executor in AWS cannot reach a store on this machine: use the results table in AWS (store.type "dynamodb", see infra/), or --lambda-endpoint for a local endpoint',
    );
  }
  lambdaArtifacts(config, endpoint);
}

export interface ExecutorContext {
  cwd: string;
  config: ResolvedConfig;
  flags: ExecutorFlags;
  /** How executors reach the store (the embedded server's endpoint and key, if that is the store). */
  storeAccess: StoreAccess;
  workDir: string;
  /** How the local executor runs several at once. */
  local: LocalParallelism;
  results: ResultStore;
  /** Commit under test: CodeBuild workers fetch `<artifacts bucket>/source/<commit>.zip`. */
  sourceVersion?: string;
  /** The suite Lambda batches run (its test bundle), and the Playwright config's path within it. */
  lambdaSource?: { source: TestSource; config: string };
  /** Warm Playwright processes for local batches (playwright/warm-start.ts). */
  warm?: WarmPool;
}

/**
 * The executors a run uses. Lambda's and CodeBuild's modules (and their AWS SDK clients) are
 * loaded only when a run names them: a local run does not pay their import at every start.
 */
export async function createExecutors(names: readonly ExecutorName[], context: ExecutorContext): Promise<Executor[]> {
  return Promise.all(
    names.map((name): Promise<Executor> | Executor =>
      name === 'local'
        ? localExecutor(context)
        : name === 'codebuild'
          ? codeBuildExecutor(context)
          : lambdaExecutor(context),
    ),
  );
}

function localExecutor(context: ExecutorContext): Executor {
  const { config, flags } = context;
  return new LocalExecutor({
    cwd: context.cwd,
    playwrightConfig: config.playwrightConfig,
    capacity: context.local.processes,
    workersEach: context.local.workersEach,
    workDir: context.workDir,
    store: storeAddressOf(context),
    artifactsDir: config.artifacts.dir,
    env: baseUrlEnv(flags),
    args: testFlagArgs(testFlagsOf(flags)),
    warm: context.warm,
  });
}

async function codeBuildExecutor(context: ExecutorContext): Promise<Executor> {
  const { config, flags } = context;
  const { CodeBuildExecutor } = await import('./codebuild.ts');
  const codebuild = config.executors.codebuild;
  const store = storeAddressOf(context);
  return new CodeBuildExecutor({
    projectName: codebuild.projectName,
    region: codebuild.region,
    concurrency: codebuild.concurrency,
    workers: codebuild.workers,
    results: context.results,
    store: { table: store.table, region: store.region, endpoint: store.endpoint, retentionDays: store.retentionDays },
    artifacts: { bucket: config.artifacts.bucket!, prefix: config.artifacts.prefix },
    baseURL: flags.baseUrl,
    testFlags: testFlagsOf(flags),
    sourceLocation: context.sourceVersion
      ? `${config.artifacts.bucket}/source/${context.sourceVersion}.zip`
      : undefined,
  });
}

async function lambdaExecutor(context: ExecutorContext): Promise<Executor> {
  const { config, flags } = context;
  const { LambdaExecutor } = await import('./lambda.ts');
  const lambda = config.executors.lambda;
  const endpoint = flags.lambdaEndpoint ?? lambda.endpoint;
  return new LambdaExecutor({
    functionName: flags.lambdaFunction ?? lambda.functionName,
    region: lambda.region,
    endpoint,
    concurrency: flags.lambdaConcurrency ?? lambda.concurrency,
    // The function's own timeout, plus time for the request and a cold start.
    invocationTimeoutMs: (lambda.timeoutSeconds + 60) * 1000,
    store: storeAddressOf(context),
    artifacts: lambdaArtifacts(config, endpoint),
    baseURL: flags.baseUrl,
    testFlags: testFlagsOf(flags),
    results: context.results,
    ...context.lambdaSource,
  });
}

/**
 * What one more batch costs, per executor — the queue never cuts a batch below a few times this
 * (plan/queue.ts) — and what one may take at most. Lambda's is measured by `npm run bench --
 * lambda` (BENCHMARKS.md): an invocation, Chromium's launch, Playwright's start. Locally the
 * choice is one more Playwright process or one more worker in the same process, and a worker
 * launches its own browser either way: the difference is the process — Node, Playwright's CLI,
 * the config and the test files loaded (`npm run bench -- skewed-suite` measures the whole
 * batch at 1.5 s, and at 3.9 s when the machine was busier). A CodeBuild container is
 * provisioned and installs the suite first: a minute or two (not measurable here).
 */
export const START_MS: Record<ExecutorName, number> = { local: 1_500, lambda: 4_000, codebuild: 120_000 };

/**
 * A CodeBuild container keeps its seat between batches (seat-pool.ts): a further batch pays a
 * Playwright start and the seat protocol's polls (the orchestrator's 2 s, the worker's 1 s), as a
 * warm Lambda start does its invocation — about 5 s. Its first batch waits for provisioning, which
 * AWS does not bound; uigate plans for a spread of a minute (the 30–90 s the scale bench assumes).
 */
const CODEBUILD_NEXT_START_MS = 5_000;
const CODEBUILD_START_SPREAD_MS = 60_000;

export function batchCosts(
  executor: Pick<Executor, 'name'>,
  config: ResolvedConfig,
): { startMs: number; maxBatchMs?: number; nextStartMs?: number; startSpreadMs?: number } {
  const startMs = START_MS[executor.name];
  // Well inside the function's timeout: a batch that runs longer than expected still reports.
  if (executor.name === 'lambda') return { startMs, maxBatchMs: config.executors.lambda.timeoutSeconds * 1000 * 0.6 };
  if (executor.name === 'codebuild')
    return { startMs, nextStartMs: CODEBUILD_NEXT_START_MS, startSpreadMs: CODEBUILD_START_SPREAD_MS };
  return { startMs };
}

/** Says where batch processes write to the store, and how long what they write is kept. */
function storeAddressOf({ config, storeAccess }: ExecutorContext): StoreAddress {
  const { table, region, retentionDays } = config.store;
  return { ...storeAccess, table, region, ...(retentionDays ? { retentionDays } : {}) };
}
