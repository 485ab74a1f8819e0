// Lambda's execution environments for uigate's local Invoke endpoint: child processes running the
// real handler (runtime.ts), kept warm between invocations, one invocation at a time each, each
// with its own /tmp, and killed with everything they started when they crash or time out.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../core/env.ts';
import { loaderArgs, siblingModule } from '../playwright/module-path.ts';
import { localChromiumCache } from './chromium.ts';

const RUNTIME = siblingModule(import.meta.url, 'runtime');

export interface EnvironmentOptions {
  functionName: string;
  timeoutSeconds: number;
  /** Working directory of the environments (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  env?: Record<string, string>;
  /** Module exporting `handler` (default: handler.ts beside this one). */
  handlerModule?: string;
}

export interface RuntimeReply {
  requestId: string;
  result?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

/** How an invocation ended: the handler's reply, or its environment's death. */
export interface InvokeOutcome {
  reply: RuntimeReply;
  crashed?: string;
  timedOut?: boolean;
}

interface Environment {
  child: ChildProcess;
  ready: Promise<void>;
}

export class EnvironmentPool {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();

  constructor(private readonly options: EnvironmentOptions) {}

  /** Runs one invocation in a warm environment, or a new one. */
  async invoke(payload: string, requestId: string): Promise<InvokeOutcome> {
    const environment = this.idle.pop() ?? this.spawn();
    const deadline = Date.now() + this.options.timeoutSeconds * 1000;
    try {
      await environment.ready;
    } catch (error) {
      this.kill(environment);
      return { reply: { requestId }, crashed: (error as Error).message };
    }
    return this.answer(environment, { requestId, payload, deadline });
  }

  closeAll(): void {
    for (const environment of this.all) this.kill(environment);
  }

  private answer(
    environment: Environment,
    message: { requestId: string; payload: string; deadline: number },
  ): Promise<InvokeOutcome> {
    const { child } = environment;
    const { requestId } = message;
    return new Promise((ok) => {
      const done = (outcome: InvokeOutcome, keep: boolean) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        // When a Lambda sandbox dies, everything in it dies: Playwright and Chromium must not
        // carry on (and go on writing results) as orphans.
        if (keep) this.idle.push(environment);
        else this.kill(environment);
        ok(outcome);
      };
      const timer = setTimeout(
        () => done({ reply: { requestId }, timedOut: true }, false),
        Math.max(0, message.deadline - Date.now()),
      );
      const onMessage = (reply: RuntimeReply) => {
        if (reply.requestId === requestId) done({ reply }, true);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done(
          {
            reply: { requestId },
            crashed: signal ? `signal: ${signal.replace('SIG', '').toLowerCase()}ed` : `exit status ${code}`,
          },
          false,
        );
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  }

  private spawn(): Environment {
    // Each environment has a /tmp of its own, as in Lambda: the suites it unpacks, its batches'
    // work folders and the Chromium @sparticuz/chromium unpacks into os.tmpdir() never meet
    // another's. A shared /tmp let two first invocations unpack Chromium into one file at once,
    // and one of them exec a binary the other was still writing (spawn ETXTBSY).
    const tmp = mkdtempSync(join(tmpdir(), 'uigate-lambda-env-'));
    const { options } = this;
    const child = fork(RUNTIME, [], {
      cwd: options.taskRoot,
      execArgv: loaderArgs(import.meta.url),
      env: {
        ...process.env,
        [ENV.tmp]: tmp,
        ...options.env,
        TMPDIR: tmp,
        // Unpacked once, then hard-linked into each environment's /tmp (chromium.ts).
        [ENV.lambdaChromiumCache]: localChromiumCache(),
        // Playwright's compilation cache (content-addressed, each entry checked by its hash) is
        // shared as the Chromium unpack is: in AWS uigate's code is compiled JavaScript, while here
        // every cold environment would compile its TypeScript sources again, seconds each.
        // PWTEST_CACHE_DIR is Playwright's own setting for where that cache lives; were it dropped,
        // each environment compiles into its own /tmp, as before.
        PWTEST_CACHE_DIR: join(tmpdir(), `playwright-transform-cache-${process.getuid?.() ?? 0}`),
        LAMBDA_TASK_ROOT: options.taskRoot,
        AWS_LAMBDA_FUNCTION_NAME: options.functionName,
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(options.timeoutSeconds),
        ...(options.handlerModule ? { [ENV.lambdaHandlerModule]: options.handlerModule } : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    const ready = new Promise<void>((ok, fail) => {
      child.once('message', () => ok());
      child.once('exit', (code, signal) =>
        fail(new Error(`execution environment exited during init (${signal ?? code})`)),
      );
    });
    ready.catch(() => undefined);
    const environment: Environment = { child, ready };
    child.once('exit', () => {
      rmSync(tmp, { recursive: true, force: true });
      this.all.delete(environment);
      const at = this.idle.indexOf(environment);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.all.add(environment);
    return environment;
  }

  private kill(environment: Environment): void {
    try {
      // The group: Playwright, its workers and Chromium die with the environment, as in Lambda.
      process.kill(-environment.child.pid!, 'SIGKILL');
    } catch {
      environment.child.kill('SIGKILL');
    }
  }
}
