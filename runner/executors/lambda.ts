// Runs a batch in AWS Lambda: one synchronous Invoke (RequestResponse — never fire-and-forget)
// per batch. Throttling is retried here with backoff and jitter; a function error (unhandled
// error, timeout, out of memory) fails the batch, and the dispatcher re-queues what it had not
// finished, which the store knows: the reporter inside Lambda wrote each unit as it ended.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { isServiceFault, isThrottle, retryThrottled } from '../aws/throttling.ts';
import type { Batch } from '../plan/plan.ts';
import type { ResultStore } from '../store/result-store.ts';
import { LAMBDA_BROWSERS, type BatchEvent, type BatchResponse } from '../lambda/event.ts';
import { BatchError, finishedInStore, type BatchContext, type Executor, type UnitOutcome } from './executor.ts';
import { isLoopbackUrl } from '../core/local-request.ts';
import { hasFlags, type TestFlags } from '../playwright/test-flags.ts';

export interface LambdaExecutorOptions {
  functionName: string;
  region: string;
  /** Lambda-Invoke-compatible endpoint: uigate's local one, `sam local start-lambda`. */
  endpoint?: string;
  /** Invocations in flight at once. */
  concurrency: number;
  /** How long one invocation may take, end to end, before it is abandoned and its units re-queued. */
  invocationTimeoutMs: number;
  /** What the handler needs besides the units. */
  store: BatchEvent['store'];
  artifacts: BatchEvent['artifacts'];
  baseURL?: string;
  /** Playwright's flags for how the batch's tests run (--retries, --trace, …). */
  testFlags?: TestFlags;
  /** The suite of the commit under test (lambda/test-source.ts) and its Playwright config within it. */
  source?: BatchEvent['source'];
  config?: string;
  /** To learn which units a failed invocation finished before it died. */
  results: ResultStore;
  throttle?: { maxTries?: number; baseMs?: number; capMs?: number };
  client?: LambdaClient;
}

const isLocal = isLoopbackUrl;

export class LambdaExecutor implements Executor {
  readonly name = 'lambda' as const;
  readonly capacity: number;
  private readonly client: LambdaClient;

  constructor(private readonly options: LambdaExecutorOptions) {
    this.capacity = Math.max(1, options.concurrency);
    const local = options.endpoint !== undefined && isLocal(options.endpoint);
    this.client =
      options.client ??
      new LambdaClient({
        region: options.region,
        endpoint: options.endpoint,
        // Retries are ours (throttling) or the dispatcher's (function errors), never the SDK's on top.
        maxAttempts: 1,
        credentials:
          local && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
        requestHandler: { requestTimeout: options.invocationTimeoutMs, connectionTimeout: 10_000 },
      });
  }

  supports(browser: string): boolean {
    return LAMBDA_BROWSERS.includes(browser);
  }

  async run(batch: Batch, context: BatchContext): Promise<UnitOutcome[]> {
    const event: BatchEvent = {
      runId: context.runId,
      batchId: batch.id,
      dispatch: context.dispatchTry,
      browser: 'chromium',
      units: batch.units,
      baseURL: this.options.baseURL,
      ...(hasFlags(this.options.testFlags) ? { testFlags: this.options.testFlags } : {}),
      store: this.options.store,
      artifacts: this.options.artifacts,
      ...(this.options.source ? { source: this.options.source, config: this.options.config } : {}),
    };
    const { requestId, payload, functionError } = await this.invoke(event, batch, context);
    if (functionError) {
      const error = payload as { errorType?: string; errorMessage?: string };
      const finished = await finishedInStore(this.options.results, batch, context, requestId);
      const kind = error.errorType === 'Sandbox.Timedout' ? 'timeout' : 'crashed';
      throw new BatchError(
        `Lambda ${requestId}: ${error.errorType ?? functionError}: ${error.errorMessage ?? 'no message'}`,
        kind,
        finished,
        requestId,
      );
    }
    const response = payload as BatchResponse;
    for (const outcome of response.results ?? []) context.onUnit(outcome.record);
    if (!response.ok) {
      const kind = response.error.type === 'MalformedEvent' ? 'rejected' : 'crashed';
      throw new BatchError(
        `Lambda ${requestId}: ${response.error.type}: ${response.error.message}`,
        kind,
        response.results ?? [],
        requestId,
      );
    }
    return response.results;
  }

  private async invoke(event: BatchEvent, batch: Batch, context: BatchContext) {
    const payload = Buffer.from(JSON.stringify(event));
    let tries = 0;
    const retryable = (error: unknown) => isThrottle(error) || isServiceFault(error);
    try {
      const output = await retryThrottled(
        (attempt) => {
          tries = attempt + 1;
          return this.client.send(
            new InvokeCommand({
              FunctionName: this.options.functionName,
              InvocationType: 'RequestResponse',
              Payload: payload,
            }),
            { abortSignal: context.signal },
          );
        },
        { maxTries: 8, baseMs: 200, capMs: 10_000, ...this.options.throttle, retryable, signal: context.signal },
      );
      const text = output.Payload ? Buffer.from(output.Payload).toString('utf8') : 'null';
      return {
        requestId: output.$metadata.requestId ?? 'unknown',
        payload: JSON.parse(text) as unknown,
        functionError: output.FunctionError,
      };
    } catch (error) {
      if (context.signal.aborted) {
        const reason = context.signal.reason instanceof BatchError ? context.signal.reason : undefined;
        throw new BatchError(
          reason?.message ?? 'batch stopped',
          reason?.kind ?? 'cancelled',
          await finishedInStore(this.options.results, batch, context),
        );
      }
      const what = isThrottle(error) ? 'throttled' : 'lost';
      const after = retryable(error) ? ` after ${tries} tries` : '';
      throw new BatchError(
        `Lambda invoke ${what}${after}: ${(error as Error).name}: ${(error as Error).message}`,
        what,
        await finishedInStore(this.options.results, batch, context),
      );
    }
  }

  close() {
    this.client.destroy();
  }
}
