// `uigate serve`: the status site on 127.0.0.1 until Ctrl-C.
import { once } from 'node:events';
import { loadConfig } from '../../config/config.ts';
import { UsageError } from '../../core/errors.ts';
import { openStore } from '../../store/open-store.ts';
import { artifactsOf, startStatusServer } from '../../../status-site/hosting/server.ts';
import { localApprovals } from '../../../status-site/access/approvers.ts';
import type { CommandIO } from '../io.ts';
import { DEFAULT_PORT } from '../ports.ts';

export interface ServeFlags {
  config?: string;
  port?: number;
  host?: string;
}

export async function serveCommand(flags: ServeFlags, io: CommandIO): Promise<number> {
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const { store } = await openStore(config.store);
  try {
    let url: string | undefined;
    const approvals = localApprovals(config, io.stderr, () => url);
    const server = await startStatusServer({
      store,
      ...artifactsOf(config.artifacts),
      port: flags.port ?? DEFAULT_PORT,
      host: flags.host,
      approvals,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        throw new UsageError(
          `port ${flags.port ?? DEFAULT_PORT} is in use; pass another with --port (0 picks a free one)`,
        );
      throw error;
    });
    url = server.url;
    io.stdout.write(`uigate status site: ${server.url}  (Ctrl-C to stop)\n`);
    if (!io.signal.aborted) await once(io.signal, 'abort');
    await server.close();
    return 0;
  } finally {
    await store.close();
  }
}
