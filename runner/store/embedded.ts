// The embedded default store: dynalite (DynamoDB's wire protocol over LevelDB) on 127.0.0.1,
// its data under .uigate/ so history survives between runs. One process owns the data folder;
// others — a plain `npx playwright test` while `uigate serve` runs — find its endpoint in
// `<dir>/server.json` and use it. The server answers only requests signed with the key in that
// file (readable by this user alone): embedded-guard.ts.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import dynalite from 'dynalite';
import { EXIT, InfraError } from '../core/errors.ts';
import type { SigningKey } from '../aws/sigv4-check.ts';
import { guardStore } from './embedded-guard.ts';

export interface EmbeddedServer {
  endpoint: string;
  /** What requests must be signed with (absent only for a server an older uigate started). */
  key?: SigningKey;
  /** True when this process started it (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface ServerFile {
  pid: number;
  endpoint?: string;
  key?: SigningKey;
}

/** Only this user may read the key. */
const PRIVATE = 0o600;
const PRIVATE_DIR = 0o700;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function responds(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(2_000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

async function readServerFile(path: string): Promise<ServerFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ServerFile;
  } catch {
    return undefined;
  }
}

/**
 * dynalite throws LevelDB's write errors from a callback, where no caller can catch them: a full
 * disk (or a file-size limit) would kill the process with a stack trace and leave the run
 * `running`. The process still ends — the store cannot go on — but with one line saying what
 * happened and what to do, and exit 3. LevelDB's log is checksummed, so what it had written
 * stays readable: the next process opens the folder again, and `--resume` runs what is missing.
 */
let runInProgress: string | undefined;

/** Names the run this process is recording, for the line a store failure prints. */
export function recordingRun(runId: string | undefined): void {
  runInProgress = runId;
}

function onStoreWriteFailure(dataDir: string) {
  const monitor = (error: unknown) => {
    if ((error as { code?: string })?.code !== 'LEVEL_IO_ERROR') return;
    const message = String((error as Error).message ?? error);
    const why = /too large|EFBIG/i.test(message)
      ? 'a file-size limit was reached (ulimit -f)'
      : /space|ENOSPC|quota|EDQUOT/i.test(message)
        ? 'the disk is full'
        : 'the disk refused a write';
    const then = runInProgress
      ? `finish run ${runInProgress} with \`npx uigate run --resume ${runInProgress}\``
      : 'run again';
    process.stderr.write(
      `uigate: the embedded store could not write to ${dataDir}: ${why} (${message}). What it had recorded is kept; make room (df -h ${dataDir}), then ${then}\n`,
    );
    process.exit(EXIT.infra);
  };
  process.on('uncaughtExceptionMonitor', monitor);
  return () => process.off('uncaughtExceptionMonitor', monitor);
}

async function start(dataDir: string, serverFile: string): Promise<EmbeddedServer> {
  const unwatch = onStoreWriteFailure(dataDir);
  const server = dynalite({ path: join(dataDir, 'data'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const key = { accessKeyId: 'uigate-embedded', secretAccessKey: randomBytes(32).toString('base64url') };
  guardStore(server, key, () => (server.address() as AddressInfo).port);
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  // Keep-alive sockets from our own clients would otherwise hold close() open.
  server.keepAliveTimeout = 1_000;
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await writeFile(serverFile, JSON.stringify({ pid: process.pid, endpoint, key } satisfies ServerFile), {
    mode: PRIVATE,
  });
  await chmod(serverFile, PRIVATE);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    key,
    owned: true,
    stop: () =>
      (stopped ??= (async () => {
        server.closeAllConnections?.();
        await new Promise<void>((ok) => server.close(() => ok()));
        await rm(serverFile, { force: true });
        unwatch();
      })()),
  };
}

/** Uses the embedded server already running on dataDir, or starts one in this process. */
export async function embeddedServer(dataDir: string, waitMs = 15_000): Promise<EmbeddedServer> {
  // The results, approvals and the server's key: this user's alone, as the approvers file is.
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR });
  await chmod(dataDir, PRIVATE_DIR);
  const serverFile = join(dataDir, 'server.json');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const existing = await readServerFile(serverFile);
    if (existing && isAlive(existing.pid)) {
      if (existing.endpoint && (await responds(existing.endpoint))) {
        return { endpoint: existing.endpoint, key: existing.key, owned: false, stop: async () => {} };
      }
    } else if (existing) {
      await rm(serverFile, { force: true }); // left behind by a process that died
    } else {
      try {
        // Exclusive create: of several processes starting at once, one owns the data folder.
        await (await open(serverFile, 'wx', PRIVATE)).close();
        await writeFile(serverFile, JSON.stringify({ pid: process.pid } satisfies ServerFile), { mode: PRIVATE });
        return await start(dataDir, serverFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          await rm(serverFile, { force: true });
          throw new InfraError(`could not start the embedded store in ${dataDir}: ${(error as Error).message}`);
        }
      }
    }
    if (Date.now() > deadline) {
      throw new InfraError(
        `the embedded store in ${dataDir} is held by process ${existing?.pid ?? '?'} but does not answer; stop that process or remove ${serverFile}`,
      );
    }
    await sleep(100);
  }
}
