// Runs a batch in an AWS CodeBuild container: the batch's unit keys go into the table, one
// StartBuild carries the run, batch and dispatch try in environment overrides, and the container
// runs `uigate worker` (cdk/worker-buildspec.ts). BatchGetBuilds is polled with backoff, one call
// for up to 100 builds in flight (build-watcher.ts); a build that fails, times out or vanishes
// fails the batch, and the dispatcher re-queues what the store does not have as finished.
import {
  CodeBuildClient,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
  type EnvironmentVariable,
} from '@aws-sdk/client-codebuild';
import { BuildWatcher } from './build-watcher.ts';
import type { Batch } from '../plan/plan.ts';
import type { ResultStore } from '../store/result-store.ts';
import { BatchError, finishedInStore, type BatchContext, type Executor, type UnitOutcome } from './executor.ts';
import { isThrottle, retryThrottled } from '../aws/throttling.ts';
import { ENV } from '../core/env.ts';
import { hasFlags, type TestFlags } from '../playwright/test-flags.ts';

export interface CodeBuildExecutorOptions {
  projectName: string;
  region: string;
  /** Builds in flight at once (CodeBuild's concurrent-build quota is the ceiling). */
  concurrency: number;
  /** Playwright workers in each build (`--workers`). @default 1 */
  workers?: number;
  results: ResultStore;
  store: { table: string; region: string; endpoint?: string; retentionDays?: number };
  artifacts: { bucket: string; prefix?: string };
  baseURL?: string;
  /** Playwright's flags for how the batch's tests run (--retries, --trace, …). */
  testFlags?: TestFlags;
  /**
   * Where the container gets the code under test: `bucket/source/<commit>.zip`, which the Test
   * stage uploads. Absent, the project's own source location is used.
   */
  sourceLocation?: string;
  poll?: { initialMs?: number; maxMs?: number };
  throttle?: { maxTries?: number; baseMs?: number; capMs?: number };
  client?: CodeBuildClient;
}

export class CodeBuildExecutor implements Executor {
  readonly name = 'codebuild' as const;
  readonly capacity: number;
  private readonly client: CodeBuildClient;
  /** One BatchGetBuilds a poll for all this executor's builds in flight. */
  private readonly watcher: BuildWatcher;

  constructor(private readonly options: CodeBuildExecutorOptions) {
    this.capacity = Math.max(1, options.concurrency);
    this.client = options.client ?? new CodeBuildClient({ region: options.region });
    this.watcher = new BuildWatcher(this.client, { poll: options.poll, throttle: options.throttle });
  }

  supports(): boolean {
    // The container is Playwright's own image: every browser is there.
    return true;
  }

  private environment(batch: Batch, context: BatchContext): EnvironmentVariable[] {
    const { store, artifacts } = this.options;
    const variables: Record<string, string | undefined> = {
      [ENV.runId]: context.runId,
      [ENV.batchId]: batch.id,
      [ENV.dispatch]: String(context.dispatchTry),
      [ENV.table]: store.table,
      [ENV.region]: store.region,
      [ENV.dynamodbEndpoint]: store.endpoint,
      [ENV.artifactsBucket]: artifacts.bucket,
      [ENV.artifactsPrefix]: artifacts.prefix,
      BASE_URL: this.options.baseURL,
      [ENV.testFlags]: hasFlags(this.options.testFlags) ? JSON.stringify(this.options.testFlags) : undefined,
      [ENV.workers]: (this.options.workers ?? 1) > 1 ? String(this.options.workers) : undefined,
      [ENV.retentionDays]: store.retentionDays?.toString(),
    };
    return Object.entries(variables)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => ({ name, value, type: 'PLAINTEXT' }));
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    await this.options.results.putBatch(context.runId, batch.id, context.dispatchTry, lanesOf(batch));
    const buildId = await this.start(batch, context);
    const { status, detail } = await this.waitFor(buildId, batch, context);
    const finished = await finishedInStore(this.options.results, batch, context, buildId);
    for (const outcome of finished) context.onUnit(outcome.record);
    // A build that succeeded without one result of its batch never ran the worker (a buildspec
    // that does not run `uigate worker`, a worker that wrote to another table): its units run
    // again, as a crashed container's do — never "not found by Playwright", never passed.
    if (status === 'SUCCEEDED' && finished.length === 0 && batch.units.length > 0)
      throw new BatchError(
        `CodeBuild ${buildId} succeeded without writing a result for any of its ${batch.units.length} unit(s): does the project's buildspec run \`uigate worker\` against table ${this.options.store.table}?`,
        'crashed',
        finished,
        buildId,
      );
    if (status === 'SUCCEEDED') return finished;
    throw new BatchError(
      `CodeBuild ${buildId}: ${status}${detail}`,
      status === 'TIMED_OUT' ? 'timeout' : 'crashed',
      finished,
      buildId,
    );
  }

  /**
   * Polls the build with backoff until it is done. A build that is stopped waiting for it —
   * cancelled, past the batch timeout, or no longer answerable — is stopped in CodeBuild too: it
   * must not go on billing and writing while its units run again elsewhere.
   */
  private async waitFor(
    buildId: string,
    batch: Batch,
    context: BatchContext,
  ): Promise<{ status?: string; detail: string }> {
    try {
      const build = await this.watcher.until(buildId, context.signal);
      if (!build)
        throw new BatchError(
          `CodeBuild ${buildId} is gone (not returned by BatchGetBuilds)`,
          'lost',
          await finishedInStore(this.options.results, batch, context, buildId),
          buildId,
        );
      return { status: build.buildStatus, detail: failedPhase(build) };
    } catch (error) {
      await this.stop(buildId);
      const finished = await finishedInStore(this.options.results, batch, context, buildId);
      if (context.signal.aborted) {
        const reason = context.signal.reason instanceof BatchError ? context.signal.reason : undefined;
        throw new BatchError(reason?.message ?? 'batch stopped', reason?.kind ?? 'cancelled', finished, buildId);
      }
      if (error instanceof BatchError) throw error;
      throw new BatchError(
        `CodeBuild ${buildId} could not be followed (stopped it): ${(error as Error).name}: ${(error as Error).message}`,
        'lost',
        finished,
        buildId,
      );
    }
  }

  /** Best effort: a build that is already gone or done cannot be stopped, and that is fine. */
  private async stop(buildId: string): Promise<void> {
    try {
      await this.client.send(new StopBuildCommand({ id: buildId }));
    } catch {
      // gone, or finished on its own
    }
  }

  private async start(batch: Batch, context: BatchContext): Promise<string> {
    try {
      const { build } = await retryThrottled(
        () =>
          this.client.send(
            new StartBuildCommand({
              projectName: this.options.projectName,
              ...(this.options.sourceLocation
                ? { sourceTypeOverride: 'S3' as const, sourceLocationOverride: this.options.sourceLocation }
                : {}),
              environmentVariablesOverride: this.environment(batch, context),
            }),
            { abortSignal: context.signal },
          ),
        { maxTries: 8, baseMs: 1_000, capMs: 30_000, ...this.options.throttle, signal: context.signal },
      );
      if (!build?.id) throw new BatchError('CodeBuild StartBuild returned no build id', 'lost');
      return build.id;
    } catch (error) {
      if (error instanceof BatchError) throw error;
      if (context.signal.aborted) throw new BatchError('batch stopped before its build started', 'cancelled');
      throw new BatchError(
        `CodeBuild StartBuild failed: ${(error as Error).name}: ${(error as Error).message}`,
        isThrottle(error) ? 'throttled' : 'lost',
      );
    }
  }

  close() {
    this.watcher.close();
    this.client.destroy();
  }
}

/** Says which phase failed and what CodeBuild said about it, for the batch's error. */
function failedPhase(build: Build): string {
  const phase = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED');
  if (!phase) return '';
  const said = phase.contexts
    ?.map((c) => c.message)
    .filter(Boolean)
    .join('; ');
  return ` in ${phase.phaseType}: ${said || phase.phaseStatus}`;
}

/** The batch's unit keys in its lanes, or in one lane when it was not split. */
function lanesOf(batch: Batch): string[][] {
  const lanes = batch.lanes?.map((lane) => lane.map((unit) => unit.key)).filter((lane) => lane.length) ?? [];
  return lanes.length > 1 ? lanes : [batch.units.map((unit) => unit.key)];
}
