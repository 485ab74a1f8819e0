// `uigate worker`: what a CodeBuild container runs (cdk/worker-buildspec.ts). It reads its
// batch from the table — run, batch and dispatch try come in UIGATE_* variables — and runs
// Playwright Test for exactly those units with the uigate reporter. Test failures are results,
// not a failed build: the exit code is 0 whenever Playwright finished.
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

export interface WorkerFlags {
  config?: string;
  run?: string;
  batch?: string;
  dispatch?: number;
}

/** Which run, batch and dispatch try a container is for. */
interface WorkerBatch {
  runId: string;
  batchId: string;
  dispatchTry: number;
}

/** Reads the run, batch and dispatch try this container is for: flags, else the build's environment. */
function batchOf(flags: WorkerFlags, env: NodeJS.ProcessEnv): WorkerBatch {
  const runId = flags.run ?? env[ENV.runId];
  const batchId = flags.batch ?? env[ENV.batchId];
  const dispatchTry = flags.dispatch ?? Number(env[ENV.dispatch] ?? 1);
  if (!runId || !RUN_ID_PATTERN.test(runId))
    throw new UsageError(`uigate worker needs a run id (--run or ${ENV.runId}), got "${runId ?? ''}"`);
  if (!batchId) throw new UsageError(`uigate worker needs a batch id (--batch or ${ENV.batchId})`);
  if (!Number.isInteger(dispatchTry) || dispatchTry < 1)
    throw new UsageError(`${ENV.dispatch} must be a whole number of 1 or more, got "${env[ENV.dispatch]}"`);
  return { runId, batchId, dispatchTry };
}

/** Reads the batch's units lane by lane, as the orchestrator wrote them to the table before starting this build. */
async function lanesOf(store: ResultStore, batch: WorkerBatch, table: string): Promise<UnitRecord[][]> {
  const { runId, batchId, dispatchTry } = batch;
  const lanes = await store.getBatch(runId, batchId, dispatchTry).catch((error: Error) => {
    throw new InfraError(`cannot read batch ${batchId} from the result store (table ${table}): ${error.message}`);
  });
  if (!lanes)
    throw new UsageError(`no batch ${batchId} (dispatch try ${dispatchTry}) in run ${runId} in table ${table}`);
  const keys = lanes.flat();
  const byKey = new Map((await store.getUnits(runId)).map((unit) => [unit.key, unit]));
  const found = keys.filter((key) => byKey.has(key)).length;
  if (found !== keys.length)
    throw new UsageError(`batch ${batchId} names ${keys.length} units but the table has ${found} of them`);
  return lanes.map((lane) => lane.map((key) => byKey.get(key)!));
}

export async function workerCommand(flags: WorkerFlags, io: CommandIO): Promise<number> {
  const batch = batchOf(flags, io.env);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const storeSettings = {
    endpoint: config.store.endpoint,
    table: config.store.table,
    region: config.store.region,
    ...(config.store.key ? { key: config.store.key } : {}),
    ...(config.store.retentionDays ? { retentionDays: config.store.retentionDays } : {}),
  };
  const store = connectStore(storeSettings);
  try {
    const lanes = await lanesOf(store, batch, config.store.table);
    const buildId = io.env.CODEBUILD_BUILD_ID ?? `worker-${process.pid}`;
    const results = await runLanes(lanes, { batch, buildId, config, storeSettings, io });
    const crashed = results.find((result) => !result.ended);
    if (crashed) {
      // The orchestrator re-queues what the store does not have as finished, from every lane.
      io.stderr.write(`uigate worker: ${describeCrash(crashed, 'Playwright')}\n`);
      return EXIT.infra;
    }
    const counts = countStatuses(results.flatMap((result) => result.outcomes.map(({ record }) => record)));
    const said = Object.entries(counts)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    io.stdout.write(`uigate worker: done — ${said || 'nothing ran'}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/**
 * Runs the batch: each lane in a Playwright process of its own, with one worker, side by side;
 * one lane in one process with the workers asked for (`executors.codebuild.workers`).
 */
async function runLanes(
  lanes: UnitRecord[][],
  run: {
    batch: WorkerBatch;
    buildId: string;
    config: ResolvedConfig;
    storeSettings: StoreAddress;
    io: CommandIO;
  },
): Promise<PlaywrightBatchResult[]> {
  const { batch, buildId, config, storeSettings, io } = run;
  const { runId, batchId, dispatchTry } = batch;
  const workers = lanes.length > 1 ? 1 : workersOf(io.env[ENV.workers]);
  const how =
    lanes.length > 1
      ? `${lanes.length} Playwright processes side by side`
      : `${workers} Playwright worker${workers === 1 ? '' : 's'}`;
  io.stdout.write(
    `uigate worker: run ${runId}, batch ${batchId} (dispatch try ${dispatchTry}), ${lanes.flat().length} units, build ${buildId}, ${how}\n`,
  );
  const testFlags = testFlagsFromText(io.env[ENV.testFlags], ENV.testFlags);
  const lane = (units: UnitRecord[], i: number) =>
    runPlaywrightBatch({
      cwd: io.cwd,
      playwrightConfig: config.playwrightConfig,
      units,
      workDir: join(config.home, 'worker', `${batchId}-d${dispatchTry}${lanes.length > 1 ? `-lane${i + 1}` : ''}`),
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
  return Promise.all(lanes.map(lane));
}

/** The Playwright workers the orchestrator asked for (`executors.codebuild.workers`); 1 when it said nothing. */
function workersOf(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(
      `${ENV.workers}="${text}" is not a number of Playwright workers: expected a whole number, 1 or more`,
    );
  return workers;
}
