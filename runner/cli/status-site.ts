// The status site served while a command runs (a run, the local pipeline): on the usual port, or
// any free one when that is taken, with the terminal as the approval channel for this machine.
import type { Writable } from 'node:stream';
import type { ResolvedConfig } from '../config/config.ts';
import type { SiteDuringRun } from '../run/session.ts';
import type { ResultStore } from '../store/result-store.ts';
import type { StatusServer } from '../../status-site/hosting/server.ts';
import { DEFAULT_PORT } from './ports.ts';

/** The flags of a command that serves the site while it runs; commander turns --no-serve into serve: false. */
export interface ServeFlags {
  port?: number;
  serve?: boolean;
}

/** Serves the site on `port` (else any free one) until the returned site is closed. */
export async function serveStatusSite(
  store: ResultStore,
  config: ResolvedConfig,
  terminal: Writable,
  port = DEFAULT_PORT,
): Promise<SiteDuringRun> {
  let url: string | undefined;
  // The site's modules load only when it is served: `--no-serve` (CI) does not pay for them.
  const [{ localApprovals }, { artifactsOf, startStatusServer }] = await Promise.all([
    import('../../status-site/access/approvers.ts'),
    import('../../status-site/hosting/server.ts'),
  ]);
  const options = { store, ...artifactsOf(config.artifacts), approvals: localApprovals(config, terminal, () => url) };
  const server = await startStatusServer({ ...options, port }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' || port === 0) throw error;
    return startStatusServer({ ...options, port: 0 });
  });
  url = server.url;
  return {
    url: server.url,
    runUrl: (runId) => server.runUrl(runId),
    closedLine: (runId) => servedAgain(server, runId),
    close: () => server.close(),
  };
}

/** Says how to open the site again: the run's links point at a site that closes with the run. */
function servedAgain(site: StatusServer, runId: string): string {
  const port = Number(new URL(site.url).port);
  return `the status site closed with the run; \`npx uigate serve${port === DEFAULT_PORT ? '' : ` --port ${port}`}\` serves it again at ${site.runUrl(runId)}`;
}
