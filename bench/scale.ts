// 10,000 units across Lambda and CodeBuild at once: the real estimator, executor planner
// (run/executor-plan.ts → plan/executor-mix.ts), work queues and dispatcher, with the embedded
// store taking the run's queued units, against executors that sleep what AWS would take — Lambda's
// cold and warm starts as measured through the local Invoke endpoint, CodeBuild's provisioning
// drawn from 30–90 s, several Playwright workers per container — in time scaled down. Reports
// makespan ÷ lower bound with history, with ±30 % errors and with none, the run's cost at AWS's
// public prices (plan/cost.ts), the cheapest plan for a 10-minute deadline, and a plot of
// makespan and cost against the executor mix (docs/scale-mix.png).
// Run: npm run bench -- scale   (BENCH_SUITES=9 suites drawn; BENCH_LAMBDA_STARTS=2000,6000 skips measuring them)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig, type ResolvedConfig } from '../runner/config/config.ts';
import { newRunId, type ExecutorName, type UnitRef } from '../runner/core/model.ts';
import type { BatchContext, Executor, UnitOutcome } from '../runner/executors/executor.ts';
import { SeatPool, type Fleet } from '../runner/executors/seat-pool.ts';
import { batchCosts } from '../runner/executors/from-config.ts';
import { makeUnit } from '../runner/playwright/list.ts';
import { codeBuildCost, lambdaCost, usd } from '../runner/plan/cost.ts';
import { estimateUnits, type Estimate } from '../runner/plan/estimates.ts';
import type { Batch } from '../runner/plan/plan.ts';
import { sizedPieces, WorkQueue, type SizedPiece } from '../runner/plan/queue.ts';
import { dispatch, type BatchQueue } from '../runner/run/dispatch.ts';
import { assignPieces } from '../runner/run/executor-plan.ts';
import type { ResultStore } from '../runner/store/result-store.ts';
import { openEmbeddedStore } from '../runner/store/open-store.ts';
import { machine, median } from './lib.ts';
import { measureLambdaStarts } from './lambda.ts';
import { plotMix } from './scale-plot.ts';

const UNITS = 10_000;
/** Relative speed of the same test in each browser (firefox and webkit slower, as on bench/skewed-suite.ts). */
const SPEED: Record<string, number> = { chromium: 1, firefox: 1.45, webkit: 1.25 };
/** 1 s of the full-size run is this many ms of sleep. */
const SCALE = 1 / 150;
const CODEBUILD = {
  containers: 20,
  workers: 4,
  compute: 'BUILD_GENERAL1_LARGE',
  provisioning: [30_000, 90_000],
  /**
   * A batch on a container already up: new Playwright processes and browsers, as a warm Lambda
   * start is (measured there at ~3 s); taken as 3 s here.
   */
  batchStartMs: 3_000,
  /**
   * The seat protocol's delays (executors/codebuild.ts, seat-worker.ts): the orchestrator reads the
   * seats every 2 s (a ready or finished seat is seen 1 s later on average) and the worker its seat
   * every 1 s (an assignment is taken 0.5 s later on average).
   */
  seenMs: 1_000,
  takenMs: 500,
  /** A container with nothing to take is released after this long (codebuild.ts's idleMs). */
  idleMs: 10_000,
} as const;
const LAMBDA_MEMORY_MB = 3008;
let T0 = 0;

export interface ScaleSuite {
  units: UnitRef[];
  /** What each unit takes in this suite's world (ms, full size). */
  actual: Map<string, number>;
}

const lcg = (seed: number) => {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
};

/**
 * A suite as large teams have them: files of 1–21 tests, most in Playwright's default mode (a
 * file is one group per project, run in order by one worker), some fully parallel; test times
 * long-tailed by file (Pareto from 1 s, capped at 8 s, median ~1.5 s) and within it (0.4–1.6 ×);
 * each test in chromium, firefox and webkit. A test's body is longer the more it does: its line
 * span grows with its time, with ±50 % noise — the listing's only hint before any history.
 */
export function scaleSuite(seed: number): ScaleSuite {
  const random = lcg(seed);
  const units: UnitRef[] = [];
  const actual = new Map<string, number>();
  for (let file = 0; units.length < UNITS; file++) {
    const path = `/suite/tests/area-${String(file).padStart(3, '0')}.spec.ts`;
    const tests = 1 + Math.floor(random() ** 1.5 * 21);
    const parallel = random() < 0.15;
    const fileBase = Math.min(8_000, 1_000 / Math.pow(1 - random(), 1 / 1.6));
    let line = 3;
    for (let t = 0; t < tests && units.length < UNITS; t++) {
      const base = fileBase * (0.4 + 1.2 * random());
      const lines = 4 + Math.round((base / 1000) * 2.5 * (0.5 + random()));
      for (const project of Object.keys(SPEED)) {
        if (units.length >= UNITS) break;
        const unit = makeUnit(path, '/suite', [`case ${t}`], project, line, 3);
        const grouped = parallel ? unit : { ...unit, group: `${path}|${project}` };
        units.push(grouped);
        actual.set(unit.key, base * SPEED[project]!);
      }
      line += lines;
    }
  }
  return { units, actual };
}

/** What history would tell: five exact runs, five runs each off by up to ±30 %, or nothing. */
type Knowledge = 'history' | 'noisy' | 'none';

function historyOf(suite: ScaleSuite, knowledge: Knowledge, seed: number): Map<string, number[]> {
  if (knowledge === 'none') return new Map();
  const random = lcg(seed * 7 + 1);
  return new Map(
    suite.units.map((unit) => {
      const ms = suite.actual.get(unit.key)!;
      return [unit.key, Array.from({ length: 5 }, () => (knowledge === 'noisy' ? ms * (0.7 + 0.6 * random()) : ms))];
    }),
  );
}

interface World {
  lambdaColdMs: number;
  lambdaWarmMs: number;
  /** Every build provisioned in this long, instead of a draw from 30–90 s. */
  provisioningMs?: number;
}

/** What a batch's tests take on one Playwright worker (a Lambda invocation, a CodeBuild seat). */
function batchWallMs(batch: Batch, actual: ReadonlyMap<string, number>): number {
  return batch.units.reduce((total, unit) => total + actual.get(unit.key)!, 0);
}

/** Lambda as it would take the batches: warm or cold starts, the batch's tests, the bill. */
class SimulatedLambda implements Executor {
  readonly name = 'lambda' as const;
  costUsd = 0;
  batches = 0;
  /** Execution environments not running a batch: a batch that finds one starts warm. */
  private idle = 0;

  constructor(
    readonly capacity: number,
    private readonly world: World,
    private readonly actual: ReadonlyMap<string, number>,
  ) {}

  supports(browser: string): boolean {
    return browser === 'chromium';
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    this.batches++;
    const startMs = this.idle > 0 ? this.world.lambdaWarmMs : this.world.lambdaColdMs;
    if (this.idle > 0) this.idle--;
    const wallMs = startMs + batchWallMs(batch, this.actual);
    debug('lambda', batch, wallMs);
    this.costUsd += lambdaCost(wallMs, LAMBDA_MEMORY_MB);
    await sleep(wallMs * SCALE);
    this.idle++;
    return passed(batch, context);
  }
}

/**
 * CodeBuild as it would take the batches, through the real seat pool (executors/seat-pool.ts):
 * containers provision in 30–90 s, the longest batch waiting goes to the first one ready, a
 * container that finishes takes the next batch after a Playwright start, an idle one is released
 * — each billed in whole minutes from StartBuild to its end.
 */
class SimulatedCodeBuild implements Executor {
  readonly name = 'codebuild' as const;
  costUsd = 0;
  batches = 0;
  /** Containers started. */
  builds = 0;
  /** Each container's provisioning, in the order they were started (full-size ms). */
  readonly provisionedMs: number[] = [];
  private readonly random = lcg(99);
  /** When each container was asked for, and its seats not yet let go. */
  private readonly containers = new Map<string, { started: number; seats: Set<string> }>();
  private readonly containerOf = new Map<string, string>();
  private readonly pool: SeatPool;

  constructor(
    readonly capacity: number,
    private readonly world: World,
    private readonly actual: ReadonlyMap<string, number>,
  ) {
    const [low, high] = CODEBUILD.provisioning;
    const fleet: Fleet = {
      launch: async (containerId, seatIds) => {
        this.builds++;
        this.containers.set(containerId, { started: performance.now(), seats: new Set(seatIds) });
        for (const seatId of seatIds) this.containerOf.set(seatId, containerId);
        const provisioningMs = this.world.provisioningMs ?? low + this.random() * (high - low);
        this.provisionedMs.push(provisioningMs);
        setTimeout(
          () => seatIds.forEach((seatId) => this.pool.ready(seatId)),
          (provisioningMs + CODEBUILD.seenMs) * SCALE,
        );
      },
      assign: async (seatId, batch, context) => {
        const wallMs = CODEBUILD.takenMs + CODEBUILD.batchStartMs + batchWallMs(batch, this.actual);
        debug('codebuild', batch, wallMs);
        setTimeout(
          () => this.pool.finished(seatId, batch.id, context.dispatchTry),
          (wallMs + CODEBUILD.seenMs) * SCALE,
        );
        return true;
      },
      release: async (seatId) => this.bill(seatId),
      stop: async (seatId) => this.bill(seatId),
    };
    this.pool = new SeatPool(fleet, {
      capacity,
      seatsEach: CODEBUILD.workers,
      idleMs: CODEBUILD.idleMs * SCALE,
      containerId: (n) => `c${n}`,
    });
  }

  supports(): boolean {
    return true;
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    this.batches++;
    await this.pool.run(batch, context);
    return passed(batch, context);
  }

  /** A container is billed, in whole minutes, from StartBuild until its last seat is let go. */
  private bill(seatId: string) {
    const container = this.containers.get(this.containerOf.get(seatId)!)!;
    container.seats.delete(seatId);
    if (container.seats.size) return;
    const ranMs = (performance.now() - container.started) / SCALE;
    this.costUsd += codeBuildCost(ranMs, CODEBUILD.compute);
  }

  close() {
    return this.pool.close();
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const passed = (batch: Batch, context: BatchContext): UnitOutcome[] =>
  batch.units.map((unit) => ({
    record: { ...unit, runId: context.runId, status: 'passed', seq: 1000, attempt: 1 },
    stored: true,
  }));

function debug(executor: string, batch: Batch, wallMs: number) {
  if (process.env.BENCH_DEBUG)
    console.error(
      `    ${executor} ${batch.id} at ${(((performance.now() - T0) * (1 / SCALE)) / 60_000).toFixed(2)} min: ${batch.units.length} units, est ${(batch.estimatedMs / SCALE / 60_000).toFixed(2)} min, wall ${(wallMs / 60_000).toFixed(2)} min`,
    );
}

/** The config a team would write for this: Lambda and CodeBuild, as deployed, with their concurrency. */
function configFor(lambdaConcurrency: number, deadline?: string): ResolvedConfig {
  return resolveConfig(
    {
      executors: {
        lambda: { concurrency: lambdaConcurrency, memoryMb: LAMBDA_MEMORY_MB },
        codebuild: {
          concurrency: CODEBUILD.containers,
          workers: CODEBUILD.workers,
          computeType: CODEBUILD.compute,
        },
      },
      ...(deadline ? { dispatch: { deadline } } : {}),
    },
    tmpdir(),
    {},
  );
}

/**
 * The lower bound: no schedule beats the longest piece plus the quickest start of an executor
 * that may take it, nor the work poured without gaps into every slot from its first start on
 * (CodeBuild's workers from the shortest provisioning, Lambda's from a cold start), the work only
 * CodeBuild can take kept there. Given `provisionedMs`, the provisioning each build of the run
 * had, CodeBuild's workers count from then instead: the bound for the builds as they came up,
 * which no schedule beats either, knowing them in advance or not.
 */
export function lowerBound(
  suite: ScaleSuite,
  lambdaSlots: number,
  world: World,
  lambdaMaxMs: number,
  provisionedMs?: readonly number[],
): number {
  const ready = Array.from({ length: CODEBUILD.containers }, (_, i) => provisionedMs?.[i] ?? CODEBUILD.provisioning[0]);
  const firstReady = Math.min(...ready);
  const pieces = sizedPieces(suite.units, (unit) => ({
    ms: suite.actual.get(unit.key)!,
    uncertainty: 0,
    basis: 'history',
  }));
  let onlyCodeBuild = 0;
  let either = 0;
  let longest = 0;
  for (const piece of pieces) {
    const lambdaCan = piece.units.every((unit) => unit.project === 'chromium') && piece.ms <= lambdaMaxMs;
    if (lambdaCan) either += piece.ms;
    else onlyCodeBuild += piece.ms;
    longest = Math.max(longest, piece.ms + (lambdaCan ? Math.min(world.lambdaColdMs, firstReady) : firstReady));
  }
  const cbRate = CODEBUILD.containers * CODEBUILD.workers;
  const fits = (t: number) => {
    const cb = ready.reduce((sum, at) => sum + Math.max(0, t - at) * CODEBUILD.workers, 0);
    const lambda = Math.max(0, t - world.lambdaColdMs) * lambdaSlots;
    return cb >= onlyCodeBuild && cb + lambda >= onlyCodeBuild + either;
  };
  let [low, high] = [0, (onlyCodeBuild + either) / cbRate + Math.max(...ready)];
  while (high - low > 100) {
    const mid = (low + high) / 2;
    if (fits(mid)) high = mid;
    else low = mid;
  }
  return Math.max(longest, high);
}

interface Simulated {
  makespanMs: number;
  /** Each CodeBuild container's provisioning, in the order they were started. */
  provisionedMs: number[];
  costUsd: number;
  plannedMs?: number;
  plannedUsd?: number;
  deadlineMet?: boolean;
  lambdaShare: number;
  batches: number;
}

/** Chromium work on Lambda, as a share of what Lambda could have taken. */
function lambdaShareOf(assigned: ReadonlyMap<Executor, UnitRef[]>, suite: ScaleSuite): number {
  let onLambda = 0;
  let chromium = 0;
  for (const [executor, units] of assigned)
    for (const unit of units) {
      if (unit.project !== 'chromium') continue;
      const ms = suite.actual.get(unit.key)!;
      chromium += ms;
      if (executor.name === 'lambda') onLambda += ms;
    }
  return chromium ? onLambda / chromium : 0;
}

/**
 * One run: the real estimator and planner choose, the real queues and dispatcher hand out, the
 * simulated executors take what AWS would. `forceShare` replaces the planner's choice by a given
 * share of chromium's pieces on Lambda (the shortest ones), for the plot.
 */
async function simulate(
  suite: ScaleSuite,
  options: {
    lambdaSlots: number;
    knowledge: Knowledge;
    seed: number;
    world: World;
    store: ResultStore;
    /** The run whose units the store holds as queued. */
    runId: string;
    deadline?: string;
    forceShare?: number;
  },
): Promise<Simulated> {
  const config = configFor(options.lambdaSlots, options.deadline);
  // Estimates in full-size ms, then everything the queues see scaled as the sleeps are.
  const estimates = estimateUnits(
    suite.units,
    historyOf(suite, options.knowledge, options.seed),
    config.dispatch.defaultUnitSeconds * 1000,
  );
  const lambda = new SimulatedLambda(options.lambdaSlots, options.world, suite.actual);
  const codebuild = new SimulatedCodeBuild(CODEBUILD.containers * CODEBUILD.workers, options.world, suite.actual);
  const executors = [lambda, codebuild];
  const pieces = sizedPieces(suite.units, (unit) => estimates.get(unit.key)!);
  const chosen =
    options.forceShare === undefined
      ? assignPieces(pieces, executors, { config, browserOf: (project) => project })
      : {
          assigned: forcedSplit(pieces, lambda, codebuild, options.forceShare, batchCosts(lambda, config).maxBatchMs!),
        };
  const queues = new Map<ExecutorName, BatchQueue>();
  for (const [executor, units] of chosen.assigned) {
    const scaled = sizedPieces(units, (unit) => scaledEstimate(estimates.get(unit.key)!));
    const costs = batchCosts(executor, config);
    queues.set(
      executor.name,
      new WorkQueue(scaled, {
        executor: executor.name,
        slots: executor.capacity,
        startMs: costs.startMs * SCALE,
        ...(costs.maxBatchMs ? { maxBatchMs: costs.maxBatchMs * SCALE } : {}),
        ...(costs.nextStartMs ? { nextStartMs: costs.nextStartMs * SCALE } : {}),
        ...(costs.startSpreadMs ? { startSpreadMs: costs.startSpreadMs * SCALE } : {}),
      }),
    );
  }
  const started = performance.now();
  T0 = started;
  await dispatch({
    runId: options.runId,
    queues,
    executors: new Map(executors.map((executor) => [executor.name, executor])),
    store: options.store,
    infraRetries: 0,
    batchTimeoutMs: 3_600_000,
    signal: new AbortController().signal,
  });
  const makespanMs = (performance.now() - started) / SCALE;
  await codebuild.close();
  const plan = 'plan' in chosen ? chosen.plan : undefined;
  return {
    makespanMs,
    provisionedMs: codebuild.provisionedMs,
    costUsd: lambda.costUsd + codebuild.costUsd,
    plannedMs: plan?.finishMs,
    plannedUsd: plan?.costUsd,
    deadlineMet: plan?.deadline?.met,
    lambdaShare: lambdaShareOf(chosen.assigned, suite),
    batches: lambda.batches + codebuild.batches,
  };
}

const scaledEstimate = (estimate: Estimate): Estimate => ({ ...estimate, ms: estimate.ms * SCALE });

/** The plot's mixes: the shortest chromium pieces to Lambda up to `share` of chromium's work, the rest to CodeBuild. */
function forcedSplit(
  pieces: readonly SizedPiece[],
  lambda: Executor,
  codebuild: Executor,
  share: number,
  lambdaMaxMs: number,
): Map<Executor, UnitRef[]> {
  const able = pieces
    .filter((piece) => piece.units.every((unit) => unit.project === 'chromium') && piece.ms <= lambdaMaxMs)
    .sort((a, b) => a.ms - b.ms);
  const total = able.reduce((sum, piece) => sum + piece.ms, 0);
  const toLambda = new Set<SizedPiece>();
  let taken = 0;
  for (const piece of able) {
    if (taken + piece.ms > share * total + 1) break;
    toLambda.add(piece);
    taken += piece.ms;
  }
  const assigned = new Map<Executor, UnitRef[]>([
    [lambda, []],
    [codebuild, []],
  ]);
  for (const piece of pieces) assigned.get(toLambda.has(piece) ? lambda : codebuild)!.push(...piece.units);
  if (assigned.get(lambda)!.length === 0) assigned.delete(lambda);
  return assigned;
}

interface EstimateError {
  /** The estimates' median over what the units took: how far off their level is (the queue learns it as batches end). */
  level: number;
  /** With the level taken out, the median factor between estimate and what a unit took: what balancing needs. */
  factor: number;
  within2x: number;
}

/** How far a first run's estimates are from what the units took, against one default for every unit. */
function estimateError(suite: ScaleSuite, defaultMs: number): { listing: EstimateError; flat: EstimateError } {
  const estimates = estimateUnits(suite.units, new Map(), defaultMs);
  const errorOf = (estimateOf: (unit: UnitRef) => number): EstimateError => {
    const ratios = suite.units.map((unit) => estimateOf(unit) / suite.actual.get(unit.key)!);
    const level = median(ratios);
    const logs = ratios.map((ratio) => Math.abs(Math.log2(ratio / level)));
    return { level, factor: 2 ** median(logs), within2x: logs.filter((value) => value <= 1).length / logs.length };
  };
  return { listing: errorOf((unit) => estimates.get(unit.key)!.ms), flat: errorOf(() => defaultMs) };
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
const pct = (share: number) => `${Math.round(share * 100)} %`;

export async function scaleBench(): Promise<string> {
  const suites = Number(process.env.BENCH_SUITES ?? 9);
  const given = process.env.BENCH_LAMBDA_STARTS?.split(',').map(Number);
  const world: World = given
    ? { lambdaColdMs: given[1]!, lambdaWarmMs: given[0]! }
    : await measureLambdaStarts().then((m) => ({ lambdaColdMs: m.coldMs, lambdaWarmMs: m.warmMs }));
  console.error(
    `  Lambda starts: warm ${(world.lambdaWarmMs / 1000).toFixed(1)} s, cold ${(world.lambdaColdMs / 1000).toFixed(1)} s`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'uigate-bench-scale-'));
  const { store } = await openEmbeddedStore(join(dir, 'dynamodb'));
  const queueing: number[] = [];
  /** A run of the suite's 10,000 units queued in the store, as `uigate run` queues a fresh run. */
  const queued = async (suite: ScaleSuite) => {
    const runId = newRunId();
    const start = performance.now();
    await store.queueUnits(runId, suite.units, { fresh: true });
    queueing.push(performance.now() - start);
    return runId;
  };
  const lambdaMaxMs = batchCosts({ name: 'lambda' }, configFor(200)).maxBatchMs!;
  const rows: Record<string, Row> = {};
  const keep = (key: string, run: Simulated, bound: number, realized: number) => {
    rows[key] ??= { ratio: [], realized: [], cost: [], makespan: [] };
    rows[key]!.ratio.push(run.makespanMs / bound);
    rows[key]!.realized.push(run.makespanMs / realized);
    rows[key]!.cost.push(run.costUsd);
    rows[key]!.makespan.push(run.makespanMs);
  };
  const deadlines: string[] = [];
  const deadlineNotes: string[] = [];
  const errors: { listing: EstimateError; flat: EstimateError }[] = [];
  let mix: { share: number; makespanMs: number; costUsd: number }[] = [];
  let chosen: { share: number; makespanMs: number; costUsd: number } | undefined;
  try {
    for (let seed = 1; seed <= suites; seed++) {
      const suite = scaleSuite(seed);
      const runId = await queued(suite);
      errors.push(estimateError(suite, configFor(200).dispatch.defaultUnitSeconds * 1000));
      for (const lambdaSlots of [200, 10]) {
        const bound = lowerBound(suite, lambdaSlots, world, lambdaMaxMs);
        for (const knowledge of ['history', 'noisy', 'none'] as const) {
          const run = await simulate(suite, { lambdaSlots, knowledge, seed, world, store, runId });
          const realized = lowerBound(suite, lambdaSlots, world, lambdaMaxMs, run.provisionedMs);
          keep(`${lambdaSlots}|${knowledge}`, run, bound, realized);
          console.error(
            `  suite ${seed}, Lambda ${lambdaSlots}, ${knowledge}: ${minutes(run.makespanMs)} (÷ bound ${(run.makespanMs / bound).toFixed(3)}, ÷ bound as provisioned ${(run.makespanMs / realized).toFixed(3)}), ${usd(run.costUsd)}, ${pct(run.lambdaShare)} of chromium on Lambda`,
          );
        }
        if (lambdaSlots === 200)
          for (const knowledge of ['history', 'none'] as const) {
            // The bound's own world: every build provisioned in the shortest time. What is left is packing.
            const quick = { ...world, provisioningMs: CODEBUILD.provisioning[0] };
            const run = await simulate(suite, { lambdaSlots, knowledge, seed, world: quick, store, runId });
            keep(`quick|${knowledge}`, run, bound, bound);
          }
      }
    }
    // The deadline and the plot, on the first suite, with history.
    const suite = scaleSuite(1);
    const runId = await queued(suite);
    for (const lambdaSlots of [200, 10]) {
      const bound = lowerBound(suite, lambdaSlots, world, lambdaMaxMs);
      const withHistory = { lambdaSlots, knowledge: 'history', seed: 1, world, store, runId } as const;
      const earliest = await simulate(suite, withHistory);
      const cheapest = await simulate(suite, { ...withHistory, deadline: '10m' });
      deadlines.push(
        `| Lambda ${lambdaSlots} + CodeBuild ${CODEBUILD.containers} | earliest | ${pct(earliest.lambdaShare)} | ${minutes(earliest.plannedMs!)}, ${usd(earliest.plannedUsd!)} | ${minutes(earliest.makespanMs)} (÷ bound ${(earliest.makespanMs / bound).toFixed(3)}) | ${usd(earliest.costUsd)} |`,
        `| | cheapest within 10 min | ${pct(cheapest.lambdaShare)} | ${minutes(cheapest.plannedMs!)}, ${usd(cheapest.plannedUsd!)}${cheapest.deadlineMet ? '' : ' — no plan meets 10 min: the earliest instead'} | ${minutes(cheapest.makespanMs)} | ${usd(cheapest.costUsd)} |`,
      );
      if (cheapest.costUsd > earliest.costUsd)
        deadlineNotes.push(
          `With Lambda ${lambdaSlots}, the plan chosen as cheapest (planned ${usd(cheapest.plannedUsd!)} against ${usd(earliest.plannedUsd!)}) cost ${usd(cheapest.costUsd)} when run, against ${usd(earliest.costUsd)}: the planner prices CodeBuild as its builds' expected minutes (plan/cost.ts), and a few percent either way decides between plans this close.`,
        );
      if (lambdaSlots === 200) {
        chosen = { share: earliest.lambdaShare, makespanMs: earliest.makespanMs, costUsd: earliest.costUsd };
        mix = [];
        for (const share of [0, 0.25, 0.5, 0.75, 1]) {
          const run = await simulate(suite, { ...withHistory, forceShare: share });
          mix.push({ share: run.lambdaShare, makespanMs: run.makespanMs, costUsd: run.costUsd });
          console.error(`  mix ${pct(share)}: ${minutes(run.makespanMs)}, ${usd(run.costUsd)}`);
        }
      }
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  const plot = fileURLToPath(new URL('../docs/scale-mix.png', import.meta.url));
  await plotMix(mix, chosen!, plot);
  return format({ suites, world, rows, deadlines, deadlineNotes, errors, queued: queueing, mix });
}

/** What the figures say against the targets (≤ 1.10 with history, ≤ 1.15 with none), in words. */
function verdict(rows: Record<string, Row>): string {
  const at = (key: string, field: 'ratio' | 'realized') => median(rows[key]![field]);
  const met = (value: number, target: number) => (value <= target ? 'met' : 'not met');
  const history = at('200|history', 'ratio');
  const none = at('200|none', 'ratio');
  return [
    `Against the bound with every build provisioned in 30 s: with history ${history.toFixed(3)} (≤ 1.10: ${met(history, 1.1)}), with none ${none.toFixed(3)} (≤ 1.15: ${met(none, 1.15)}).`,
    `Against the bound as provisioned: ${at('200|history', 'realized').toFixed(3)} and ${at('200|none', 'realized').toFixed(3)}.`,
    `When every build does provision in 30 s, the run is ${at('quick|history', 'ratio').toFixed(3)} and ${at('quick|none', 'ratio').toFixed(3)} of the bound: what is left between the two bounds is the provisioning itself — a build ready at 90 s cannot work from 30 s, and 20 builds drawn from 30–90 s come up half a minute after the quickest on average, a tenth of a 5-minute run.`,
  ].join(' ');
}

interface Row {
  /** Makespan ÷ the lower bound with every build provisioned in 30 s. */
  ratio: number[];
  /** Makespan ÷ the lower bound for the builds as they were provisioned in the run. */
  realized: number[];
  cost: number[];
  makespan: number[];
}

function format(m: {
  suites: number;
  world: World;
  rows: Record<string, Row>;
  deadlines: string[];
  deadlineNotes: string[];
  errors: { listing: EstimateError; flat: EstimateError }[];
  queued: number[];
  mix: { share: number; makespanMs: number; costUsd: number }[];
}): string {
  const names: Record<Knowledge, string> = {
    history: 'with history (recorded durations)',
    noisy: 'history off by ±30 %',
    none: 'no history (first run: the listing only)',
  };
  const targets: Record<Knowledge, string> = { history: '≤ 1.10', noisy: '', none: '≤ 1.15' };
  const table = [200, 10]
    .flatMap((slots) =>
      (['history', 'noisy', 'none'] as const).map((knowledge) => {
        const row = m.rows[`${slots}|${knowledge}`]!;
        const ratios = [...row.ratio].sort((a, b) => a - b);
        return `| Lambda ${slots} + CodeBuild ${CODEBUILD.containers} | ${names[knowledge]} | **${median(row.ratio).toFixed(3)}** | ${ratios[0]!.toFixed(3)}–${ratios.at(-1)!.toFixed(3)} | **${median(row.realized).toFixed(3)}** | ${minutes(median(row.makespan))} | ${usd(median(row.cost))} | ${slots === 200 ? targets[knowledge] : ''} |`;
      }),
    )
    .join('\n');
  const quick = (['history', 'none'] as const)
    .map((knowledge) => {
      const row = m.rows[`quick|${knowledge}`]!;
      return `| Lambda 200 + CodeBuild ${CODEBUILD.containers}, every build provisioned in 30 s | ${names[knowledge]} | **${median(row.ratio).toFixed(3)}** | ${Math.min(...row.ratio).toFixed(3)}–${Math.max(...row.ratio).toFixed(3)} | (the same) | ${minutes(median(row.makespan))} | ${usd(median(row.cost))} | |`;
    })
    .join('\n');
  const mixRows = m.mix
    .map((point) => `| ${pct(point.share)} | ${minutes(point.makespanMs)} | ${usd(point.costUsd)} |`)
    .join('\n');
  return `## scale — 10,000 units on Lambda and CodeBuild at once

Command: \`npm run bench -- scale\` · machine: ${machine()} · ${new Date().toISOString().slice(0, 10)}

${m.suites} suites drawn (\`scaleSuite(seed)\` in bench/scale.ts): 10,000 units each — files of 1–21 tests, 85 % in Playwright's default mode (a file is one group per project, so pieces of up to 4–5 minutes), long-tailed test times (file paces Pareto from 1 s, capped at 8 s; tests 0.4–1.6 × their file's), each test in chromium, firefox (1.45 × slower) and webkit (1.25 ×); about 8 hours of test time a suite. (The planner's 15-minute cap on Lambda is shown by runner/plan/executor-mix.test.ts on small inputs.) Around the real estimator, executor planner, work queues and dispatcher, with the embedded store taking each run's 10,000 queued units; the executors sleep what AWS would take, time scaled ×${SCALE.toFixed(4)}:

- **Lambda**: one Playwright worker an invocation, ${LAMBDA_MEMORY_MB} MB; a batch that finds an idle execution environment starts warm (${(m.world.lambdaWarmMs / 1000).toFixed(1)} s), else cold (${(m.world.lambdaColdMs / 1000).toFixed(1)} s) — both measured through \`uigate lambda serve\`'s Invoke endpoint with the real handler and @sparticuz/chromium (bench/lambda.ts: the cold one includes unpacking Chromium into /tmp).
- **CodeBuild**: ${CODEBUILD.containers} builds at once, ${CODEBUILD.workers} Playwright workers each (\`executors.codebuild.workers\`; Playwright's default is half the cores, and ${CODEBUILD.compute} has 8 vCPUs), each build's provisioning drawn from 30–90 s. Batches are bound late, through the real seat pool (runner/executors/seat-pool.ts): each worker of a build is a seat that takes batches on its own; the longest batch waiting goes to the first seat ready, and a seat that finishes takes the next after a ${CODEBUILD.batchStartMs / 1000} s Playwright start, plus the seat protocol's polls (seen ${CODEBUILD.seenMs / 1000} s, taken ${CODEBUILD.takenMs / 1000} s later on average); a seat left with nothing is released after ${CODEBUILD.idleMs / 1000} s. A build is billed from StartBuild until its last seat is let go.
- **Cost** at AWS's public us-east-1 prices (runner/plan/cost.ts, which cites them): Lambda $0.0000166667 per GB-second (x86) and $0.20 per million requests; CodeBuild ${CODEBUILD.compute} $0.02 per build minute, whole minutes, provisioning included.

Lower bound per suite: the longest piece plus the quickest start that may take it, or all the work poured without gaps into every slot from its first possible start (CodeBuild's ${CODEBUILD.containers * CODEBUILD.workers} workers from 30 s, Lambda from a cold start), the work only CodeBuild can run (firefox, webkit) kept there — whichever is later. The bound *as provisioned* is the same with each build's workers counted from the provisioning that build really had in the run: what no schedule beats with those builds, even one that knew their provisioning in advance.

| executors | what is known | makespan ÷ lower bound, median of ${m.suites} suites | range | ÷ bound as provisioned, median | makespan, median | cost per run, median | target |
|---|---|---|---|---|---|---|---|
${table}
${quick}

${verdict(m.rows)}

A first run knows only Playwright's listing. Its estimates (runner/plan/estimates.ts: \`dispatch.defaultUnitSeconds\` scaled by each test's body length) were off in level by a median factor of ${median(m.errors.map((e) => e.listing.level)).toFixed(2)} (the queue learns the level from the batches that end); with the level taken out, a unit's estimate was off by a median factor of ${median(m.errors.map((e) => e.listing.factor)).toFixed(2)}, ${pct(median(m.errors.map((e) => e.listing.within2x)))} within 2× — against ${median(m.errors.map((e) => e.flat.factor)).toFixed(2)} and ${pct(median(m.errors.map((e) => e.flat.within2x)))} for one default for every test (what a first run had before). The suites are drawn with body lengths that follow test times (±50 %): how well that holds for a real suite is not measured here.

### The cheapest plan for a 10-minute deadline (\`--deadline 10m\`), suite 1, with history

| executors | plan | chromium on Lambda | planned finish, cost | makespan | cost |
|---|---|---|---|---|---|
${m.deadlines.join('\n')}

${m.deadlineNotes.join(' ')}

### Makespan and cost against the executor mix

![Makespan and cost against the share of chromium's work on Lambda](docs/scale-mix.png)

Suite 1, with history, Lambda 200 + CodeBuild ${CODEBUILD.containers}: the shortest chromium pieces on Lambda up to a share of chromium's work, the rest (and all of firefox and webkit) on CodeBuild.

| chromium on Lambda | makespan | cost |
|---|---|---|
${mixRows}

Queueing a run's 10,000 units in the embedded store (BatchWriteItem, 25 a call, UnprocessedItems retried): median ${(median(m.queued) / 1000).toFixed(1)} s.
`;
}
