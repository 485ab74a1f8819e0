// `uigate lambda serve`: Lambda's Invoke API on 127.0.0.1, the shape `sam local start-lambda`
// serves, running the real handler in child processes ("execution environments"). Throttling,
// function errors and timeouts answer as Lambda does, so the executor's handling of them is
// exercised for real.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refuseLocal } from '../core/local-request.ts';
import { EnvironmentPool, type InvokeOutcome } from './environments.ts';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's limit on a synchronous request or response payload. */
const MAX_PAYLOAD = 6 * 1024 * 1024;

export interface LocalEndpointOptions {
  /** Accepted function name (an ARN ending in it is accepted too). */
  functionName: string;
  /** Invocations at once; more are refused with TooManyRequestsException, as reserved concurrency does. */
  concurrency: number;
  /** The function's timeout. */
  timeoutSeconds: number;
  port?: number;
  host?: string;
  /** Working directory of the execution environments (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  env?: Record<string, string>;
  /** Module exporting `handler` (default: runner/lambda/handler.ts). */
  handlerModule?: string;
  log?: (line: string) => void;
}

export interface LocalEndpoint {
  url: string;
  close(): Promise<void>;
  /** Invocations answered so far, by outcome. */
  stats: { invocations: number; throttled: number; functionErrors: number };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    .end(text);
}

function awsError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
) {
  send(res, status, { Type: 'User', message, ...extra }, { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A request Lambda would refuse before running anything: the status, error type and message it answers. */
type Refusal = [status: number, type: string, message: string, extra?: Record<string, unknown>];

/** Checks an Invoke request as Lambda does; the payload when it may run. */
async function readInvoke(
  req: IncomingMessage,
  functionName: string,
): Promise<{ payload: string } | { refused: Refusal } | { dryRun: true }> {
  const match = INVOKE_PATH.exec((req.url ?? '').split('?')[0]!);
  if (req.method !== 'POST' || !match)
    return { refused: [404, 'UnknownOperationException', `unknown operation ${req.method} ${req.url}`] };
  let name: string;
  try {
    name = decodeURIComponent(match[1]!);
  } catch {
    return { refused: [400, 'InvalidParameterValueException', 'the function name is not a valid URL path segment'] };
  }
  if (name !== functionName && !name.endsWith(`:function:${functionName}`))
    return { refused: [404, 'ResourceNotFoundException', `Function not found: ${name}`] };
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const body = await readBody(req);
  if (!body)
    return {
      refused: [
        413,
        'RequestEntityTooLargeException',
        'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      ],
    };
  const payload = body.toString('utf8');
  try {
    if (payload.length) JSON.parse(payload);
  } catch {
    return { refused: [400, 'InvalidRequestContentException', 'Could not parse request body into json'] };
  }
  if (type === 'DryRun') return { dryRun: true };
  if (type !== 'RequestResponse')
    return {
      refused: [
        400,
        'InvalidParameterValueException',
        `InvocationType ${type} is not supported by the local endpoint; uigate always waits for the result`,
      ],
    };
  return { payload };
}

/** Gives the function error Lambda answers for an invocation that died, timed out or threw; none when it returned. */
function functionError({ reply, crashed, timedOut }: InvokeOutcome, requestId: string, timeoutSeconds: number) {
  if (timedOut)
    return {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
    };
  if (crashed)
    return {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${crashed}`,
    };
  if (reply.error) return reply.error;
  const text = JSON.stringify(reply.result);
  if (Buffer.byteLength(text) > MAX_PAYLOAD)
    return {
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    };
  return undefined;
}

export async function startLocalEndpoint(options: LocalEndpointOptions): Promise<LocalEndpoint> {
  const pool = new EnvironmentPool(options);
  const stats = { invocations: 0, throttled: 0, functionErrors: 0 };
  let inFlight = 0;
  const log = options.log ?? (() => {});
  const server: Server = createServer(async (req, res) => {
    const requestId = randomUUID();
    // No browser has business here: a page that found the port could otherwise run a batch.
    const refusal = refuseLocal(req.headers, { port: (server.address() as AddressInfo).port, browsers: 'none' });
    if (refusal) return awsError(res, 403, 'AccessDeniedException', refusal, requestId);
    const request = await readInvoke(req, options.functionName);
    if ('refused' in request)
      return awsError(res, request.refused[0], request.refused[1], request.refused[2], requestId);
    if ('dryRun' in request) return send(res, 204, '', { 'x-amzn-requestid': requestId });
    if (inFlight >= options.concurrency) {
      stats.throttled++;
      log(`lambda: throttled ${requestId} (${inFlight} in flight, concurrency ${options.concurrency})`);
      return awsError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', requestId, {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    }
    inFlight++;
    stats.invocations++;
    const started = Date.now();
    try {
      const outcome = await pool.invoke(request.payload, requestId);
      const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
      const error = functionError(outcome, requestId, options.timeoutSeconds);
      if (error) {
        stats.functionErrors++;
        log(`lambda: ${requestId} function error ${error.errorType} after ${Date.now() - started} ms`);
        return send(res, 200, error, { ...headers, 'x-amz-function-error': 'Unhandled' });
      }
      log(`lambda: ${requestId} done in ${Date.now() - started} ms`);
      return send(res, 200, JSON.stringify(outcome.reply.result), headers);
    } finally {
      inFlight--;
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok, fail) =>
    server.once('error', fail).listen(options.port ?? 0, options.host ?? '127.0.0.1', ok),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    stats,
    close: async () => {
      pool.closeAll();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
