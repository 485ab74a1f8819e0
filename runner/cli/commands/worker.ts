// `uigate worker`: what a CodeBuild container runs (cdk/worker-buildspec.ts). It holds the seats
// the orchestrator started it for (UIGATE_SEAT, one per worker in UIGATE_WORKERS) and runs each
// batch a seat is given, until each is released (executors/seat-worker.ts); or, with --batch
// (UIGATE_BATCH_ID), that one batch. A batch
// is read from the table and run by Playwright Test for exactly its units, with the uigate
// reporter. Test failures are results, not a failed build: the exit code is 0 whenever
// Playwright finished.
import { join } from 'node:path';
import { loadConfig, type ResolvedConfig } from '../../config/config.ts';
import { EXIT, InfraError, UsageError } from '../../core/errors.ts';
import { RUN_ID_PATTERN } from '../../core/model.ts';
import { describeCrash, runPlaywrightBatch, type PlaywrightBatchResult } from '../../playwright/batch.ts';
import { testFlagArgs, testFlagsFromText } from '../../playwright/test-flags.ts';
import { connectStore } from '../../store/open-store.ts';
import type { CommandIO } from '../io.ts';
import type { UnitRecord } from '../../core/model.ts';
import { countStatuses } from '../../core/statuses.ts';
import type { ResultStore } from '../../store/result-store.ts';
import type { StoreAddress } from '../../store/store-address.ts';
import { ENV } from '../../core/env.ts';
import { serveSeat } from '../../executors/seat-worker.ts';

export interface WorkerFlags {
  config?: string;
  run?: string;
  batch?: string;
  dispatch?: number;
  seat?: string;
}

/** Which run, batch and dispatch try a container is for. */
interface WorkerBatch {
  runId: string;
  batchId: string;
  dispatchTry: number;
}

/** Reads what this container is for — a seat, or one batch — from flags, else the build's environment. */
function workOf(flags: WorkerFlags, env: NodeJS.ProcessEnv): WorkerBatch | { runId: string; containerId: string } {
  const runId = flags.run ?? env[ENV.runId];
  if (!runId || !RUN_ID_PATTERN.test(runId))
    throw new UsageError(`uigate worker needs a run id (--run or ${ENV.runId}), got "${runId ?? ''}"`);
  const containerId = flags.seat ?? (flags.batch ? undefined : env[ENV.seat]);
  if (containerId) return { runId, containerId };
  const batchId = flags.batch ?? env[ENV.batchId];
  const dispatchTry = flags.dispatch ?? Number(env[ENV.dispatch] ?? 1);
  if (!batchId)
    throw new UsageError(
      `uigate worker needs a seat (--seat or ${ENV.seat}) or a batch id (--batch or ${ENV.batchId})`,
    );
  if (!Number.isInteger(dispatchTry) || dispatchTry < 1)
    throw new UsageError(`${ENV.dispatch} must be a whole number of 1 or more, got "${env[ENV.dispatch]}"`);
  return { runId, batchId, dispatchTry };
}

/** Reads the batch's units, as the orchestrator wrote them to the table before handing it out. */
async function unitsOf(store: ResultStore, batch: WorkerBatch, table: string): Promise<UnitRecord[]> {
  const { runId, batchId, dispatchTry } = batch;
  const keys = await store.getBatch(runId, batchId, dispatchTry).catch((error: Error) => {
    throw new InfraError(`cannot read batch ${batchId} from the result store (table ${table}): ${error.message}`);
  });
  if (!keys)
    throw new UsageError(`no batch ${batchId} (dispatch try ${dispatchTry}) in run ${runId} in table ${table}`);
  const byKey = new Map((await store.getUnitsByKey(runId, keys)).map((unit) => [unit.key, unit]));
  const found = keys.filter((key) => byKey.has(key)).length;
  if (found !== keys.length)
    throw new UsageError(`batch ${batchId} names ${keys.length} units but the table has ${found} of them`);
  return keys.map((key) => byKey.get(key)!);
}

export async function workerCommand(flags: WorkerFlags, io: CommandIO): Promise<number> {
  const work = workOf(flags, io.env);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const storeSettings = {
    endpoint: config.store.endpoint,
    table: config.store.table,
    region: config.store.region,
    ...(config.store.key ? { key: config.store.key } : {}),
    ...(config.store.retentionDays ? { retentionDays: config.store.retentionDays } : {}),
  };
  const store = connectStore(storeSettings);
  const buildId = io.env.CODEBUILD_BUILD_ID ?? `worker-${process.pid}`;
  const runBatch = async (batch: WorkerBatch, workers: number): Promise<{ crashed?: string }> => {
    const units = await unitsOf(store, batch, config.store.table);
    const result = await runBatchHere(units, { batch, buildId, config, storeSettings, io, workers });
    if (!result.ended) {
      // The orchestrator re-queues what the store does not have as finished.
      const said = describeCrash(result, 'Playwright');
      io.stderr.write(`uigate worker: batch ${batch.batchId}: ${said}\n`);
      return { crashed: said };
    }
    const counts = countStatuses(result.outcomes.map(({ record }) => record));
    const said = Object.entries(counts)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    io.stdout.write(`uigate worker: batch ${batch.batchId} done — ${said || 'nothing ran'}\n`);
    return {};
  };
  const workers = workersOf(io.env[ENV.workers]);
  try {
    if ('batchId' in work) return (await runBatch(work, workers)).crashed ? EXIT.infra : EXIT.ok;
    return await serveSeats(work, workers, { store, buildId, table: config.store.table, io, runBatch });
  } finally {
    await store.close();
  }
}

/**
 * Holds the container's seats — one per Playwright worker asked for, `<container>.1` … — each
 * running the batches it is given in a Playwright process of its own, until each is released.
 */
async function serveSeats(
  work: { runId: string; containerId: string },
  seats: number,
  run: {
    store: ResultStore;
    buildId: string;
    table: string;
    io: CommandIO;
    runBatch(batch: WorkerBatch, workers: number): Promise<{ crashed?: string }>;
  },
): Promise<number> {
  const { store, buildId, table, io } = run;
  io.stdout.write(
    `uigate worker: run ${work.runId}, container ${work.containerId} (${seats} seat${seats === 1 ? '' : 's'}), build ${buildId}: waiting for batches\n`,
  );
  const ends = await Promise.all(
    Array.from({ length: seats }, async (_, i) => {
      const seatId = `${work.containerId}.${i + 1}`;
      const { end, batches, crashed } = await serveSeat(store, {
        runId: work.runId,
        seatId,
        buildId,
        runBatch: (batch) => run.runBatch({ runId: work.runId, ...batch }, 1),
        signal: io.signal,
      }).catch((error: Error) => {
        if (error instanceof UsageError || error instanceof InfraError) throw error;
        throw new InfraError(`seat ${seatId} in table ${table}: ${error.message}`);
      });
      const failed = crashed ? `, ${crashed} crashed` : '';
      io.stdout.write(`uigate worker: seat ${seatId} ${end} after ${batches} batch(es)${failed}\n`);
      return crashed;
    }),
  );
  // The build shows FAILED in the console when a batch crashed; the orchestrator heard of each already.
  return ends.some(Boolean) ? EXIT.infra : EXIT.ok;
}

/** Runs the batch's units in one Playwright process with `workers` workers (a seat's batch: one). */
async function runBatchHere(
  units: UnitRecord[],
  run: {
    batch: WorkerBatch;
    buildId: string;
    config: ResolvedConfig;
    storeSettings: StoreAddress;
    io: CommandIO;
    workers: number;
  },
): Promise<PlaywrightBatchResult> {
  const { batch, buildId, config, storeSettings, io, workers } = run;
  const { runId, batchId, dispatchTry } = batch;
  io.stdout.write(
    `uigate worker: run ${runId}, batch ${batchId} (dispatch try ${dispatchTry}), ${units.length} units, build ${buildId}, ${workers} Playwright worker${workers === 1 ? '' : 's'}\n`,
  );
  const testFlags = testFlagsFromText(io.env[ENV.testFlags], ENV.testFlags);
  return runPlaywrightBatch({
    cwd: io.cwd,
    playwrightConfig: config.playwrightConfig,
    units,
    workDir: join(config.home, 'worker', `${batchId}-d${dispatchTry}`),
    // Artifacts go to the bucket when one is named (UIGATE_ARTIFACTS_BUCKET), else to this folder.
    context: {
      runId,
      executor: 'codebuild',
      executorRef: buildId,
      dispatchTry,
      store: storeSettings,
      artifactsDir: config.artifacts.dir,
    },
    args: testFlagArgs(testFlags),
    workers,
    signal: io.signal,
    onUnit: (record) => {
      if (record.status !== 'running')
        io.stdout.write(
          `  ${record.status.padEnd(8)} [${record.project}] ${record.file} › ${record.titlePath.join(' › ')}\n`,
        );
    },
  });
}

/** The Playwright workers the orchestrator asked for (`executors.codebuild.workers`): seats in a container, or workers for `--batch`; 1 when it said nothing. */
function workersOf(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(
      `${ENV.workers}="${text}" is not a number of Playwright workers: expected a whole number, 1 or more`,
    );
  return workers;
}
