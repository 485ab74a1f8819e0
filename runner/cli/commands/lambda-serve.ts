// `uigate lambda serve`: the local Lambda Invoke endpoint, until Ctrl-C.
import { once } from 'node:events';
import { loadConfig } from '../../config/config.ts';
import { UsageError } from '../../core/errors.ts';
import { startLocalEndpoint } from '../../lambda/local-endpoint.ts';
import type { CommandIO } from '../io.ts';
import { DEFAULT_LAMBDA_PORT } from '../ports.ts';

export interface LambdaServeFlags {
  config?: string;
  port?: number;
  concurrency?: number;
  timeout?: number;
  functionName?: string;
}

export async function lambdaServeCommand(flags: LambdaServeFlags, io: CommandIO): Promise<number> {
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const lambda = config.executors.lambda;
  const endpoint = await startLocalEndpoint({
    functionName: flags.functionName ?? lambda.functionName,
    concurrency: flags.concurrency ?? lambda.concurrency,
    timeoutSeconds: flags.timeout ?? lambda.timeoutSeconds,
    port: flags.port ?? DEFAULT_LAMBDA_PORT,
    taskRoot: config.rootDir,
    log: (line) => io.stderr.write(`${line}\n`),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE')
      throw new UsageError(
        `port ${flags.port ?? DEFAULT_LAMBDA_PORT} is in use; pass another with --port (0 picks a free one)`,
      );
    throw error;
  });
  io.stdout.write(
    `uigate lambda endpoint: ${endpoint.url} — function "${flags.functionName ?? lambda.functionName}", concurrency ${flags.concurrency ?? lambda.concurrency}, timeout ${flags.timeout ?? lambda.timeoutSeconds} s\n` +
      `  use it: npx uigate run --executor lambda --lambda-endpoint ${endpoint.url}   (Ctrl-C to stop)\n`,
  );
  if (!io.signal.aborted) await once(io.signal, 'abort');
  await endpoint.close();
  return 0;
}
