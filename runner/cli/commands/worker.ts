// `uigate worker`: what a CodeBuild container runs (cdk/worker-buildspec.ts). It reads its
// batch from the table — run, batch and dispatch try come in UIGATE_* variables — and runs
// Playwright Test for exactly those units with the uigate reporter. Test failures are results,
// not a failed build: the exit code is 0 whenever Playwright finished.
import { join } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { EXIT, InfraError, UsageError } from '../../core/errors.ts';
import { RUN_ID_PATTERN } from '../../core/model.ts';
import { describeCrash, runPlaywrightBatch } from '../../playwright/batch.ts';
import { testFlagArgs, testFlagsFromText } from '../../playwright/test-flags.ts';
import { connectStore } from '../../store/open-store.ts';
import type { CommandIO } from '../io.ts';
import type { UnitRecord } from '../../core/model.ts';
import { countStatuses } from '../../core/statuses.ts';
import type { ResultStore } from '../../store/result-store.ts';
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

/** Reads the batch's units, as the orchestrator wrote them to the table before starting this build. */
async function unitsOf(store: ResultStore, batch: WorkerBatch, table: string): Promise<UnitRecord[]> {
  const { runId, batchId, dispatchTry } = batch;
  const keys = await store.getBatch(runId, batchId, dispatchTry).catch((error: Error) => {
    throw new InfraError(`cannot read batch ${batchId} from the result store (table ${table}): ${error.message}`);
  });
  if (!keys)
    throw new UsageError(`no batch ${batchId} (dispatch try ${dispatchTry}) in run ${runId} in table ${table}`);
  const wanted = new Set(keys);
  const units = (await store.getUnits(runId)).filter((unit) => wanted.has(unit.key));
  if (units.length !== keys.length)
    throw new UsageError(`batch ${batchId} names ${keys.length} units but the table has ${units.length} of them`);
  return units;
}

export async function workerCommand(flags: WorkerFlags, io: CommandIO): Promise<number> {
  const batch = batchOf(flags, io.env);
  const { runId, batchId, dispatchTry } = batch;
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
    const units = await unitsOf(store, batch, config.store.table);
    const buildId = io.env.CODEBUILD_BUILD_ID ?? `worker-${process.pid}`;
    io.stdout.write(
      `uigate worker: run ${runId}, batch ${batchId} (dispatch try ${dispatchTry}), ${units.length} units, build ${buildId}\n`,
    );
    const testFlags = testFlagsFromText(io.env[ENV.testFlags], ENV.testFlags);
    const result = await runPlaywrightBatch({
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
      signal: io.signal,
      onUnit: (record) => {
        if (record.status !== 'running')
          io.stdout.write(
            `  ${record.status.padEnd(8)} [${record.project}] ${record.file} › ${record.titlePath.join(' › ')}\n`,
          );
      },
    });
    if (!result.ended) {
      io.stderr.write(`uigate worker: ${describeCrash(result, 'Playwright')}\n`);
      return EXIT.infra;
    }
    const counts = countStatuses(result.outcomes.map(({ record }) => record));
    const said = Object.entries(counts)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    io.stdout.write(`uigate worker: done — ${said || 'nothing ran'}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
