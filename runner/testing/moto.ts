// Test helper: moto_server, the AWS emulator on the development image, on a free port of 127.0.0.1,
// so AWS paths run with the real SDK clients against an implementation not ours. Where it is not
// installed (a user's machine) the tests that need it skip with one line saying so; in CI
// (CI=true) its absence fails them, so CI always runs them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
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
