// The AWS Lambda handler: runs Playwright Test for exactly the units of one batch with
// @sparticuz/chromium, writing only under /tmp; the uigate reporter records each unit in the
// store and its artifacts in S3; the unit results come back in the response.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCrash, runPlaywrightBatch } from '../playwright/batch.ts';
import { MalformedEvent, parseEvent, type BatchEvent, type BatchResponse } from './event.ts';
import { lambdaChromium } from './chromium.ts';
import { prepareTestSource } from './test-source.ts';
import { ENV } from '../core/env.ts';

export interface LambdaContext {
  awsRequestId: string;
  getRemainingTimeInMillis?: () => number;
}

/**
 * Stop Playwright this long before Lambda's own timeout, so the results so far still come back
 * (UIGATE_STOP_MARGIN_SECONDS; 0 leaves it all to Lambda's timeout).
 */
const stopMarginMs = () => Number(process.env[ENV.stopMarginSeconds] ?? 15) * 1000;

function artifactsEnv(event: BatchEvent): Record<string, string> {
  const artifacts = event.artifacts;
  if ('dir' in artifacts) return { [ENV.artifactsDir]: artifacts.dir };
  const env: Record<string, string> = { [ENV.artifactsBucket]: artifacts.bucket };
  if (artifacts.prefix) env[ENV.artifactsPrefix] = artifacts.prefix;
  if (artifacts.region) env[ENV.artifactsRegion] = artifacts.region;
  if (artifacts.endpoint) env[ENV.s3Endpoint] = artifacts.endpoint;
  return env;
}

export async function handler(input: unknown, context: LambdaContext): Promise<BatchResponse> {
  const requestId = context.awsRequestId;
  let event: BatchEvent;
  try {
    event = parseEvent(typeof input === 'string' ? JSON.parse(input) : input);
  } catch (error) {
    if (error instanceof MalformedEvent || error instanceof SyntaxError) {
      return { ok: false, error: { type: 'MalformedEvent', message: error.message }, requestId, results: [] };
    }
    throw error;
  }

  const tmp = process.env[ENV.tmp] ?? '/tmp';
  let suiteDir: string;
  try {
    // The commit's own suite when the event names one; the function's folder otherwise.
    suiteDir = event.source
      ? await prepareTestSource(event.source, tmp)
      : (process.env[ENV.taskRoot] ?? process.env.LAMBDA_TASK_ROOT ?? process.cwd());
  } catch (error) {
    return {
      ok: false,
      error: {
        type: 'SourceUnavailable',
        message: `the test bundle could not be fetched: ${(error as Error).message}`,
      },
      requestId,
      results: [],
    };
  }
  const workDir = join(tmp, 'uigate', requestId);
  let chromium: { executablePath: string; args: string[] };
  try {
    chromium = await lambdaChromium();
  } catch (error) {
    return {
      ok: false,
      error: {
        type: 'BrowserUnavailable',
        message: `@sparticuz/chromium could not start: ${(error as Error).message}`,
      },
      requestId,
      results: [],
    };
  }

  const remaining = context.getRemainingTimeInMillis?.() ?? 15 * 60_000;
  const margin = stopMarginMs();
  const deadline = margin > 0 ? AbortSignal.timeout(Math.max(5_000, remaining - margin)) : new AbortController().signal;
  try {
    const result = await runPlaywrightBatch({
      cwd: suiteDir,
      playwrightConfig: join(suiteDir, event.config ?? process.env[ENV.playwrightConfig] ?? 'playwright.config.ts'),
      units: event.units,
      workDir,
      context: {
        runId: event.runId,
        executor: 'lambda',
        executorRef: requestId,
        dispatch: event.dispatch,
        store: {
          table: event.store.table,
          region: event.store.region ?? process.env.AWS_REGION ?? 'us-east-1',
          endpoint: event.store.endpoint,
        },
      },
      env: {
        // Lambda's file system is read-only but for /tmp: Chromium's profile, Playwright's caches.
        HOME: tmp,
        TMPDIR: tmp,
        XDG_CACHE_HOME: join(tmp, '.cache'),
        [ENV.chromiumPath]: chromium.executablePath,
        [ENV.chromiumArgs]: JSON.stringify(chromium.args),
        ...(event.baseURL ? { BASE_URL: event.baseURL } : {}),
        ...artifactsEnv(event),
      },
      args: event.retries !== undefined ? ['--retries', String(event.retries)] : [],
      signal: deadline,
      ownGroup: false,
      onUnit: () => {},
    });
    if (deadline.aborted) {
      return {
        ok: false,
        error: { type: 'BatchCrashed', message: `stopped ${margin / 1000} s before the function's timeout` },
        requestId,
        results: result.outcomes,
      };
    }
    if (!result.ended)
      return {
        ok: false,
        error: { type: 'BatchCrashed', message: describeCrash(result, 'Playwright') },
        requestId,
        results: result.outcomes,
      };
    return { ok: true, runId: event.runId, batchId: event.batchId, requestId, results: result.outcomes };
  } finally {
    // A warm container keeps /tmp; each batch cleans up after itself.
    await rm(workDir, { recursive: true, force: true });
  }
}
