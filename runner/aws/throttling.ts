// One way to tell and to wait out AWS throttling, for every client uigate calls itself (Lambda,
// CodeBuild, CloudWatch): the error names and status AWS uses for "slow down", and a retry with
// full-jitter backoff that gives up after a few tries or when the caller stops.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from './backoff.ts';

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'AccountLimitExceededException',
  'SlowDown',
]);

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** AWS asked us to slow down (a named throttle, HTTP 429, or "Rate exceeded"). */
export function isThrottle(error: unknown): boolean {
  const e = error as AwsError | undefined;
  return (
    THROTTLE_NAMES.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429 || /Rate exceeded/i.test(e?.message ?? '')
  );
}

/** The service itself failed (HTTP 5xx): worth trying again, as a throttle is. */
export function isServiceFault(error: unknown): boolean {
  const status = (error as AwsError | undefined)?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

export interface RetryOptions {
  /** Tries in all, the first included. @default 6 */
  maxTries?: number;
  /** @default 200 */
  baseMs?: number;
  /** @default 10_000 */
  capMs?: number;
  /** Which errors are worth another try. @default isThrottle */
  retryable?: (error: unknown) => boolean;
  signal?: AbortSignal;
  /** How to wait (tests pass a fake clock). */
  wait?: (ms: number) => Promise<void>;
}

/** Calls `call`, trying again after a jittered wait while it fails with a throttle; the last error escapes. */
export async function retryThrottled<T>(call: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { maxTries = 6, baseMs = 200, capMs = 10_000, retryable = isThrottle, signal } = options;
  const wait = options.wait ?? ((ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined));
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (signal?.aborted || attempt + 1 >= maxTries || !retryable(error)) throw error;
      await wait(backoffMs(attempt, baseMs, capMs));
    }
  }
}
