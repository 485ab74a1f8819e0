// `uigate lambda serve`: Lambda's Invoke API on 127.0.0.1, the shape `sam local start-lambda`
// serves, running the real handler in child processes ("execution environments"). Throttling,
// function errors and timeouts answer as Lambda does, so the executor's handling of them is
// exercised for real.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loaderArgs, siblingModule } from '../playwright/module-path.ts';
import { ENV } from '../core/env.ts';

const RUNTIME = siblingModule(import.meta.url, 'runtime');
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

interface Environment {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
}

interface RuntimeReply {
  requestId: string;
  result?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
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

export async function startLocalEndpoint(options: LocalEndpointOptions): Promise<LocalEndpoint> {
  const idle: Environment[] = [];
  const all = new Set<Environment>();
  const stats = { invocations: 0, throttled: 0, functionErrors: 0 };
  let inFlight = 0;
  const log = options.log ?? (() => {});

  const spawnEnvironment = (): Environment => {
    // Each environment has a /tmp of its own, as in Lambda: the suites it unpacks and its batches'
    // work folders never meet another's. (Chromium for Lambda, unpacked once, is shared.)
    const tmp = mkdtempSync(join(tmpdir(), 'uigate-lambda-env-'));
    const child = fork(RUNTIME, [], {
      cwd: options.taskRoot,
      execArgv: loaderArgs(import.meta.url),
      env: {
        ...process.env,
        [ENV.tmp]: tmp,
        ...options.env,
        LAMBDA_TASK_ROOT: options.taskRoot,
        AWS_LAMBDA_FUNCTION_NAME: options.functionName,
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(options.timeoutSeconds),
        ...(options.handlerModule ? { [ENV.lambdaHandlerModule]: options.handlerModule } : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    const environment: Environment = {
      child,
      busy: false,
      ready: new Promise((ok, fail) => {
        child.once('message', () => ok());
        child.once('exit', (code, signal) =>
          fail(new Error(`execution environment exited during init (${signal ?? code})`)),
        );
      }),
    };
    environment.ready.catch(() => undefined);
    child.once('exit', () => {
      rmSync(tmp, { recursive: true, force: true });
      all.delete(environment);
      const at = idle.indexOf(environment);
      if (at >= 0) idle.splice(at, 1);
    });
    all.add(environment);
    return environment;
  };

  const kill = (environment: Environment) => {
    try {
      // The group: Playwright, its workers and Chromium die with the environment, as in Lambda.
      process.kill(-environment.child.pid!, 'SIGKILL');
    } catch {
      environment.child.kill('SIGKILL');
    }
  };

  const invoke = async (
    payload: string,
    requestId: string,
  ): Promise<{ reply: RuntimeReply; crashed?: string; timedOut?: boolean }> => {
    const environment = idle.pop() ?? spawnEnvironment();
    environment.busy = true;
    const started = Date.now();
    const deadline = started + options.timeoutSeconds * 1000;
    try {
      await environment.ready;
    } catch (error) {
      kill(environment);
      return { reply: { requestId }, crashed: (error as Error).message };
    }
    return new Promise((ok) => {
      const timer = setTimeout(
        () => {
          cleanup();
          kill(environment);
          ok({ reply: { requestId }, timedOut: true });
        },
        Math.max(0, deadline - Date.now()),
      );
      const onMessage = (reply: RuntimeReply) => {
        if (reply.requestId !== requestId) return;
        cleanup();
        environment.busy = false;
        idle.push(environment);
        ok({ reply });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup();
        // When a Lambda sandbox dies, everything in it dies: Playwright and Chromium must not
        // carry on (and go on writing results) as orphans.
        kill(environment);
        ok({
          reply: { requestId },
          crashed: signal ? `signal: ${signal.replace('SIG', '').toLowerCase()}ed` : `exit status ${code}`,
        });
      };
      const cleanup = () => {
        clearTimeout(timer);
        environment.child.off('message', onMessage);
        environment.child.off('exit', onExit);
      };
      environment.child.on('message', onMessage);
      environment.child.once('exit', onExit);
      environment.child.send({ requestId, payload, deadline });
    });
  };

  const server: Server = createServer(async (req, res) => {
    const requestId = randomUUID();
    const match = INVOKE_PATH.exec((req.url ?? '').split('?')[0]!);
    if (req.method !== 'POST' || !match)
      return awsError(res, 404, 'UnknownOperationException', `unknown operation ${req.method} ${req.url}`, requestId);
    const name = decodeURIComponent(match[1]!);
    if (name !== options.functionName && !name.endsWith(`:function:${options.functionName}`)) {
      return awsError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`, requestId);
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const body = await readBody(req);
    if (!body)
      return awsError(
        res,
        413,
        'RequestEntityTooLargeException',
        'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
        requestId,
      );
    const payload = body.toString('utf8');
    try {
      if (payload.length) JSON.parse(payload);
    } catch {
      return awsError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json', requestId);
    }
    if (type === 'DryRun') return send(res, 204, '', { 'x-amzn-requestid': requestId });
    if (type !== 'RequestResponse')
      return awsError(
        res,
        400,
        'InvalidParameterValueException',
        `InvocationType ${type} is not supported by the local endpoint; uigate always waits for the result`,
        requestId,
      );
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
      const { reply, crashed, timedOut } = await invoke(payload, requestId);
      const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
      if (timedOut || crashed || reply.error) {
        stats.functionErrors++;
        const error = timedOut
          ? {
              errorType: 'Sandbox.Timedout',
              errorMessage: `RequestId: ${requestId} Error: Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`,
            }
          : crashed
            ? {
                errorType: 'Runtime.ExitError',
                errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${crashed}`,
              }
            : reply.error!;
        log(`lambda: ${requestId} function error ${error.errorType} after ${Date.now() - started} ms`);
        return send(res, 200, error, { ...headers, 'x-amz-function-error': 'Unhandled' });
      }
      const text = JSON.stringify(reply.result);
      if (Buffer.byteLength(text) > MAX_PAYLOAD) {
        stats.functionErrors++;
        return send(
          res,
          200,
          {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
          },
          { ...headers, 'x-amz-function-error': 'Unhandled' },
        );
      }
      log(`lambda: ${requestId} done in ${Date.now() - started} ms`);
      return send(res, 200, text, headers);
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
      for (const environment of all) kill(environment);
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
