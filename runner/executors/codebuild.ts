// Runs batches in AWS CodeBuild containers, bound late (seat-pool.ts): StartBuild asks for a
// container with only the run and a seat id in its environment; the container runs `uigate worker`
// (cdk/worker-buildspec.ts), which marks its seat ready in the table and waits. The longest batch
// waiting then goes to the first seat ready, and a container that finishes a batch takes the next
// without provisioning again. The seats are read with one Query a poll; the builds are followed
// with one BatchGetBuilds for up to 100 of them (build-watcher.ts). A build that fails, times out
// or vanishes under a batch fails the batch, and the dispatcher re-queues what the store does not
// have as finished.
import { randomBytes } from 'node:crypto';
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
import { SeatLost, SeatPool, type Ending, type Fleet } from './seat-pool.ts';
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
  /** BatchGetBuilds: first poll, then ×1.5 up to `maxMs`. */
  poll?: { initialMs?: number; maxMs?: number };
  /** How often the run's seats are read (one Query). @default 2000 */
  seatPollMs?: number;
  /** A ready container with no batch waiting this long is released. @default 10000 */
  idleMs?: number;
  throttle?: { maxTries?: number; baseMs?: number; capMs?: number };
  client?: CodeBuildClient;
}

export class CodeBuildExecutor implements Executor {
  readonly name = 'codebuild' as const;
  readonly capacity: number;
  private readonly client: CodeBuildClient;
  /** One BatchGetBuilds a poll for all this executor's builds in flight. */
  private readonly watcher: BuildWatcher;
  /** The seats of each run this executor has run batches for (one, but for tests and benches). */
  private readonly fleets = new Map<string, CodeBuildFleet>();

  constructor(private readonly options: CodeBuildExecutorOptions) {
    // A slot for each Playwright worker of each build: each takes batches on its own.
    this.capacity = Math.max(1, options.concurrency) * Math.max(1, options.workers ?? 1);
    this.client = options.client ?? new CodeBuildClient({ region: options.region });
    this.watcher = new BuildWatcher(this.client, { poll: options.poll, throttle: options.throttle });
  }

  supports(): boolean {
    // The container is Playwright's own image: every browser is there.
    return true;
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    const fleet = this.fleetOf(context.runId);
    let seatId: string;
    try {
      seatId = await fleet.pool.run(batch, context);
    } catch (error) {
      throw await this.failure(error, batch, context, fleet);
    }
    const finished = await finishedInStore(this.options.results, batch, context, fleet.buildOf(seatId));
    for (const outcome of finished) context.onUnit(outcome.record);
    return finished;
  }

  /** What the dispatcher hears of a batch that did not finish: the BatchError, with what it did finish. */
  private async failure(error: unknown, batch: Batch, context: BatchContext, fleet: CodeBuildFleet) {
    const buildId = error instanceof SeatLost && error.seatId ? fleet.buildOf(error.seatId) : undefined;
    const finished = await finishedInStore(this.options.results, batch, context, buildId);
    if (context.signal.aborted) {
      const reason = context.signal.reason instanceof BatchError ? context.signal.reason : undefined;
      return new BatchError(reason?.message ?? 'batch stopped', reason?.kind ?? 'cancelled', finished, buildId);
    }
    if (!(error instanceof SeatLost)) return error;
    if (error.launchError !== undefined)
      return new BatchError(error.message, isThrottle(error.launchError) ? 'throttled' : 'lost', finished);
    return new BatchError(error.message, error.ending.timedOut ? 'timeout' : 'crashed', finished, buildId);
  }

  private fleetOf(runId: string): CodeBuildFleet {
    let fleet = this.fleets.get(runId);
    if (!fleet) {
      fleet = new CodeBuildFleet(runId, this.options, this.client, this.watcher);
      this.fleets.set(runId, fleet);
    }
    return fleet;
  }

  async close() {
    await Promise.all([...this.fleets.values()].map((fleet) => fleet.close()));
    this.watcher.close();
    this.client.destroy();
  }
}

/** One run's CodeBuild containers: started, their seats given batches, released and stopped for the seat pool. */
class CodeBuildFleet implements Fleet {
  readonly pool: SeatPool;
  /** Each build in flight, with its seats still followed (not released or stopped by us). */
  private readonly containers = new Map<
    string,
    {
      buildId: string;
      watch: AbortController;
      seats: Set<string>;
      /** A seat's batch was withdrawn while it ran: its Playwright may never end on its own. */
      withdrawn?: boolean;
    }
  >();
  /** The container of each seat still followed. */
  private readonly containerOf = new Map<string, string>();
  /** The build each seat ran in, kept after it ends: the ref of the results it wrote. */
  private readonly buildOfSeat = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly runId: string,
    private readonly options: CodeBuildExecutorOptions,
    private readonly client: CodeBuildClient,
    private readonly watcher: BuildWatcher,
  ) {
    // A resumed run's orchestrator must not take seats its predecessor's builds still hold.
    const prefix = randomBytes(3).toString('hex');
    const workers = Math.max(1, options.workers ?? 1);
    this.pool = new SeatPool(this, {
      capacity: Math.max(1, options.concurrency) * workers,
      seatsEach: workers,
      idleMs: options.idleMs ?? 10_000,
      containerId: (n) => `${prefix}-${n}`,
    });
  }

  buildOf(seatId: string): string | undefined {
    return this.buildOfSeat.get(seatId);
  }

  async launch(containerId: string, seatIds: readonly string[]): Promise<void> {
    const buildId = await this.start(containerId, seatIds.length);
    if (this.closed) {
      // The run ended while StartBuild was under way: nothing will ever be given to this build.
      await this.client.send(new StopBuildCommand({ id: buildId })).catch(() => {});
      return;
    }
    const watch = new AbortController();
    const container = { buildId, watch, seats: new Set(seatIds) };
    this.containers.set(containerId, container);
    for (const seatId of seatIds) {
      this.containerOf.set(seatId, containerId);
      this.buildOfSeat.set(seatId, buildId);
    }
    const ended = (ending: (seatId: string) => Ending) => {
      this.containers.delete(containerId);
      for (const seatId of container.seats) {
        this.containerOf.delete(seatId);
        this.pool.ended(seatId, ending(seatId));
      }
    };
    this.watcher.until(buildId, watch.signal).then(
      (build) => ended((seatId) => this.endingOf(seatId, buildId, build)),
      async (error: unknown) => {
        if (watch.signal.aborted) return;
        await this.client.send(new StopBuildCommand({ id: buildId })).catch(() => {});
        ended(() => ({
          message: `CodeBuild ${buildId} could not be followed (stopped it): ${(error as Error).name}: ${(error as Error).message}`,
        }));
      },
    );
    this.schedulePoll();
  }

  async assign(seatId: string, batch: Batch, context: BatchContext): Promise<boolean> {
    const { results } = this.options;
    await results.putBatch(
      this.runId,
      batch.id,
      context.dispatchTry,
      batch.units.map((unit) => unit.key),
    );
    const taken = await results.assignSeat(this.runId, seatId, { batchId: batch.id, dispatchTry: context.dispatchTry });
    this.schedulePoll();
    return taken;
  }

  async release(seatId: string): Promise<void> {
    // Its container's last seat let go, the worker exits on its own: no StopBuild to race that —
    // unless a seat of it was withdrawn mid-batch, whose Playwright may be what hangs.
    const emptied = this.forget(seatId);
    await this.options.results.releaseSeat(this.runId, seatId);
    if (emptied?.withdrawn) await this.client.send(new StopBuildCommand({ id: emptied.buildId })).catch(() => {});
  }

  /**
   * Lets the seat go, and stops its container once no seat in it is followed: a seat's batch
   * withdrawn (a timeout) must not take the batches of the container's other seats with it.
   */
  async stop(seatId: string): Promise<void> {
    const containerId = this.containerOf.get(seatId);
    const container = containerId ? this.containers.get(containerId) : undefined;
    if (container) container.withdrawn = true;
    const emptied = this.forget(seatId);
    // Released too: its worker, once its batch ends or it comes up, finds the seat closed.
    await this.options.results.releaseSeat(this.runId, seatId).catch(() => {});
    if (emptied) await this.client.send(new StopBuildCommand({ id: emptied.buildId })).catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.pool.close();
  }

  /** Stops following the seat; answers its container when that was its last seat followed. */
  private forget(seatId: string): { buildId: string; withdrawn?: boolean } | undefined {
    const containerId = this.containerOf.get(seatId);
    this.containerOf.delete(seatId);
    const container = containerId ? this.containers.get(containerId) : undefined;
    if (!container) return undefined;
    container.seats.delete(seatId);
    if (container.seats.size) return undefined;
    container.watch.abort();
    this.containers.delete(containerId!);
    return container;
  }

  private endingOf(seatId: string, buildId: string, build: Build | undefined): Ending {
    if (!build) return { message: `CodeBuild ${buildId} is gone (not returned by BatchGetBuilds)` };
    const neverReady = this.pool.seatsIn('starting').includes(seatId);
    // A build that ends well without ever taking its seat never ran the worker: its batch runs
    // again, as a crashed container's does — never "not found by Playwright", never passed.
    const hint =
      neverReady && build.buildStatus === 'SUCCEEDED'
        ? ` without its worker ever being ready: does the project's buildspec run \`uigate worker\` against table ${this.options.store.table}?`
        : neverReady
          ? ' before its worker was ready'
          : '';
    return {
      message: `CodeBuild ${buildId}: ${build.buildStatus}${failedPhase(build)}${hint}`,
      timedOut: build.buildStatus === 'TIMED_OUT',
    };
  }

  /** Reads the run's seats (one Query) while any container is coming up or running a batch. */
  private schedulePoll() {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.poll(), this.options.seatPollMs ?? 2_000);
  }

  private async poll(): Promise<void> {
    try {
      const seats = await this.options.results.listSeats(this.runId);
      for (const seat of seats) {
        if (seat.state !== 'ready' || !this.containerOf.has(seat.seatId)) continue;
        const { last } = seat;
        if (last)
          this.pool.finished(
            seat.seatId,
            last.batchId,
            last.dispatchTry,
            last.crashed && `CodeBuild ${this.buildOf(seat.seatId)}, seat ${seat.seatId}: ${last.crashed}`,
          );
        this.pool.ready(seat.seatId);
      }
    } catch {
      // Throttled or unreachable for a moment: the next poll reads again; a build that dies meanwhile
      // is seen by BatchGetBuilds, and a batch that waits too long by its timeout.
    }
    this.timer = undefined;
    if (this.pool.seatsIn('starting').length + this.pool.seatsIn('busy').length + this.pool.seatsIn('assigning').length)
      this.schedulePoll();
  }

  private environment(containerId: string, seats: number): EnvironmentVariable[] {
    const { store, artifacts } = this.options;
    const variables: Record<string, string | undefined> = {
      [ENV.runId]: this.runId,
      [ENV.seat]: containerId,
      [ENV.table]: store.table,
      [ENV.region]: store.region,
      [ENV.dynamodbEndpoint]: store.endpoint,
      [ENV.artifactsBucket]: artifacts.bucket,
      [ENV.artifactsPrefix]: artifacts.prefix,
      BASE_URL: this.options.baseURL,
      [ENV.testFlags]: hasFlags(this.options.testFlags) ? JSON.stringify(this.options.testFlags) : undefined,
      // Seats `<container>.1` … `.<seats>`, a Playwright process each.
      [ENV.workers]: seats > 1 ? String(seats) : undefined,
      [ENV.retentionDays]: store.retentionDays?.toString(),
    };
    return Object.entries(variables)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => ({ name, value, type: 'PLAINTEXT' }));
  }

  private async start(containerId: string, seats: number): Promise<string> {
    const { build } = await retryThrottled(
      () =>
        this.client.send(
          new StartBuildCommand({
            projectName: this.options.projectName,
            ...(this.options.sourceLocation
              ? { sourceTypeOverride: 'S3' as const, sourceLocationOverride: this.options.sourceLocation }
              : {}),
            environmentVariablesOverride: this.environment(containerId, seats),
          }),
        ),
      { maxTries: 8, baseMs: 1_000, capMs: 30_000, ...this.options.throttle },
    ).catch((error: Error) => {
      throw Object.assign(new Error(`CodeBuild StartBuild failed: ${error.name}: ${error.message}`), {
        name: error.name,
      });
    });
    if (!build?.id) throw new Error('CodeBuild StartBuild returned no build id');
    return build.id;
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
