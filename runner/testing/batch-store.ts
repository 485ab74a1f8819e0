// Test helper: an embedded store for Playwright batches a test starts itself, and the options that
// run one as the local executor would, its reporter recording into that store.
import { join } from 'node:path';
import type { SigningKey } from '../aws/sigv4-check.ts';
import type { UnitRef } from '../core/model.ts';
import type { PlaywrightBatchOptions } from '../playwright/batch.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import type { StoreAddress } from '../store/store-address.ts';

export interface BatchStore {
  store: DynamoStore;
  /** How a batch's reporter reaches the store. */
  address: StoreAddress;
}

export async function batchStore(dir: string): Promise<BatchStore> {
  const { store, endpoint, key } = (await openEmbeddedStore(join(dir, 'dynamodb'))) as {
    store: DynamoStore;
    endpoint: string;
    key: SigningKey;
  };
  return { store, address: { endpoint, key, table: 'uigate', region: 'us-east-1' } };
}

/** A first-try local batch `ref` of `units` in `cwd`'s project, artifacts under `artifactsDir`. */
export function localBatch(
  target: { cwd: string; address: StoreAddress; artifactsDir: string },
  batch: { runId: string; ref: string; units: readonly UnitRef[]; workDir: string },
): PlaywrightBatchOptions {
  return {
    cwd: target.cwd,
    playwrightConfig: join(target.cwd, 'playwright.config.ts'),
    units: batch.units,
    workDir: batch.workDir,
    context: {
      runId: batch.runId,
      executor: 'local',
      executorRef: batch.ref,
      dispatchTry: 1,
      store: target.address,
      artifactsDir: target.artifactsDir,
    },
    signal: new AbortController().signal,
    onUnit: () => undefined,
  };
}
