// The AWS Lambda handler: runs Playwright Test for exactly the units of one batch with
// @sparticuz/chromium, writing only under /tmp; the uigate reporter records each unit in the
// store and its artifacts in S3; the unit results come back in the response.
import { findPlaywrightConfig } from '../config/playwright-config-file.ts';
import { fitResponse } from './response-size.ts';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCrash, runPlaywrightBatch } from '../playwright/batch.ts';
import { testFlagArgs } from '../playwright/test-flags.ts';
import {
  isProbe,
  MalformedEvent,
  type PROBE_EVENT,
  parseEvent,
  type BatchEvent,
  type BatchResponse,
  type ProbeResponse,
} from './event.ts';
import { lambdaChromium } from './chromium.ts';
import { prepareTestSource } from './test-source.ts';
import { ENV } from '../core/env.ts';
import { awsRegion } from '../aws/region.ts';

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

type FailureType = Extract<BatchResponse, { ok: false }>['error']['type'];

/** Why a batch could not even start: answered as an error result with nothing run. */
class Refusal extends Error {
  constructor(
    readonly type: FailureType,
    message: string,
  ) {
    super(message);
  }
}

function eventOf(input: unknown): BatchEvent {
  try {
    return parseEvent(typeof input === 'string' ? JSON.parse(input) : input);
  } catch (error) {
    if (error instanceof MalformedEvent || error instanceof SyntaxError)
      throw new Refusal('MalformedEvent', error.message);
    throw error;
  }
}

/** Runs a step that must work for the batch to start; its failure is a refusal of that type. */
async function step<T>(type: FailureType, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Refusal(type, `${what}: ${(error as Error).message}`);
  }
}

/** Proves this container's browser for `uigate doctor --aws`, as a batch proves it, and runs nothing. */
async function probe(requestId: string): Promise<ProbeResponse> {
  const started = Date.now();
  try {
    const { version } = await lambdaChromium();
    return { probe: 'chromium', ok: true, requestId, browserVersion: version, ms: Date.now() - started };
  } catch (error) {
    const message = `@sparticuz/chromium could not start: ${(error as Error).message}`;
    return { probe: 'chromium', ok: false, requestId, error: { type: 'BrowserUnavailable', message } };
  }
}

export async function handler(input: typeof PROBE_EVENT, context: LambdaContext): Promise<ProbeResponse>;
export async function handler(input: unknown, context: LambdaContext): Promise<BatchResponse>;
export async function handler(input: unknown, context: LambdaContext): Promise<BatchResponse | ProbeResponse> {
  const requestId = context.awsRequestId;
  if (isProbe(input)) return probe(requestId);
  try {
    const event = eventOf(input);
    const tmp = process.env[ENV.tmp] ?? '/tmp';
    // The commit's own suite when the event names one; the function's folder otherwise.
    const suiteDir = await step('SourceUnavailable', 'the test bundle could not be fetched', async () =>
      event.source
        ? prepareTestSource(event.source, tmp)
        : (process.env[ENV.taskRoot] ?? process.env.LAMBDA_TASK_ROOT ?? process.cwd()),
    );
    const chromium = await step('BrowserUnavailable', '@sparticuz/chromium could not start', lambdaChromium);
    return await runBatch(event, {
      requestId,
      tmp,
      suiteDir,
      chromium,
      remainingMs: context.getRemainingTimeInMillis?.() ?? 15 * 60_000,
    });
  } catch (error) {
    if (error instanceof Refusal)
      return { ok: false, error: { type: error.type, message: error.message }, requestId, results: [] };
    throw error;
  }
}

interface BatchSetting {
  requestId: string;
  tmp: string;
  suiteDir: string;
  chromium: { executablePath: string; args: string[] };
  remainingMs: number;
}

/** The suite's Playwright config: as the event or the function names it, else found as Playwright finds it. */
function playwrightConfigOf(event: BatchEvent, suiteDir: string): string {
  const named = event.config ?? process.env[ENV.playwrightConfig];
  if (named) return join(suiteDir, named);
  return findPlaywrightConfig(suiteDir) ?? join(suiteDir, 'playwright.config.ts');
}

/** Runs Playwright for exactly the event's units, stopped in time for the results so far to come back. */
async function runBatch(
  event: BatchEvent,
  { requestId, tmp, suiteDir, chromium, remainingMs }: BatchSetting,
): Promise<BatchResponse> {
  const margin = stopMarginMs();
  const deadline =
    margin > 0 ? AbortSignal.timeout(Math.max(5_000, remainingMs - margin)) : new AbortController().signal;
  const workDir = join(tmp, 'uigate', requestId);
  try {
    const result = await runPlaywrightBatch({
      cwd: suiteDir,
      playwrightConfig: playwrightConfigOf(event, suiteDir),
      units: event.units,
      workDir,
      context: {
        runId: event.runId,
        executor: 'lambda',
        executorRef: requestId,
        dispatchTry: event.dispatch,
        store: {
          table: event.store.table,
          region: awsRegion(process.env, event.store.region),
          endpoint: event.store.endpoint,
          key: event.store.key,
          retentionDays: event.store.retentionDays,
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
      args: testFlagArgs(event.testFlags ?? {}),
      signal: deadline,
      ownGroup: false,
      onUnit: () => {},
    });
    const crashed = deadline.aborted
      ? `stopped ${margin / 1000} s before the function's timeout`
      : !result.ended
        ? describeCrash(result, 'Playwright')
        : undefined;
    if (crashed)
      return fitResponse({
        ok: false,
        error: { type: 'BatchCrashed', message: crashed },
        requestId,
        results: result.outcomes,
      });
    return fitResponse({ ok: true, runId: event.runId, batchId: event.batchId, requestId, results: result.outcomes });
  } finally {
    // A warm container keeps /tmp; each batch cleans up after itself.
    await rm(workDir, { recursive: true, force: true });
  }
}
