// Test helper: moto_server, the AWS emulator on the development image, on a free port of 127.0.0.1,
// so AWS paths run with the real SDK clients against an implementation not ours. Where it is not
// installed (a user's machine) the tests that need it skip with one line saying so; in CI
// (CI=true) its absence fails them, so CI always runs them.
import { CreateProjectCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { recordOracle } from './oracles.ts';

export interface Moto {
  endpoint: string;
  /** Credentials and region moto accepts; any values work, the SDK only needs some. */
  env: Record<string, string>;
  /** The same, as an SDK client's configuration (S3 clients add forcePathStyle). */
  client: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  close(): Promise<void>;
}

const INSTALL = 'moto 5 with its server (pip install "moto[server]"), so that moto_server is on the PATH';

/** Why the emulator's tests cannot run here, or undefined when they can; throws in CI. */
export function motoMissing(): string | undefined {
  const found = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  recordOracle('moto_server', !found.error && found.status === 0);
  if (!found.error && found.status === 0) return undefined;
  const reason = `moto_server is not installed: install ${INSTALL}`;
  if (process.env.CI) throw new Error(`${reason} — CI requires it`);
  process.stderr.write(`skipped: AWS-emulator tests (${reason})\n`);
  return reason;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

async function ready(endpoint: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  throw new Error('moto_server did not answer within 10 s');
}

/** A fresh emulator of its own: state is never shared between test files. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await ready(endpoint, child);
  return {
    endpoint,
    env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' },
    client: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * moto's JSON services answer timestamps as ISO strings ("2026-12-07T02:00:25.601Z") where the
 * awsJson protocol sends epoch seconds (CodeBuild's `startTime`, say): botocore reads either, the
 * JavaScript SDK refuses the string ("Expected real number, got implicit NaN"). For a client of
 * such a service, this rewrites them in the raw answer before the SDK reads it — moto's deviation
 * only, every other byte as moto sent it.
 */
export function epochTimestamps<C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(client: C): C {
  const add = client.middlewareStack.add as unknown as (
    middleware: (
      next: (args: unknown) => Promise<{ response: { body: unknown } }>,
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'deserialize'; priority: 'low'; name: string },
  ) => void;
  add(
    (next) => async (args) => {
      const answer = await next(args);
      const body = answer.response.body as AsyncIterable<Uint8Array> | undefined;
      if (!body || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function')
        return answer;
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk));
      const text = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))"/g, (_, iso: string) =>
          String(Date.parse(iso) / 1000),
        );
      answer.response.body = Readable.from([Buffer.from(text)]);
      return answer;
    },
    { step: 'deserialize', priority: 'low', name: 'motoEpochTimestamps' },
  );
  return client;
}

/** Creates the CodeBuild worker project as the Uigate construct deploys it (its name, source and image), on moto. */
export async function createWorkerProject(client: CodeBuildClient): Promise<void> {
  await client.send(
    new CreateProjectCommand({
      name: 'uigate-worker',
      source: { type: 'S3', location: 'artifacts/source/latest.zip' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        image: 'mcr.microsoft.com/playwright:v1.64.1-noble',
        computeType: 'BUILD_GENERAL1_MEDIUM',
      },
      serviceRole: 'arn:aws:iam::123456789012:role/uigate-worker',
    }),
  );
}
