// Serves the status site under Node on 127.0.0.1: page, API and local artifacts.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { ResultStore } from '../runner/store/result-store.ts';
import type { ApprovalOptions } from './approval-route.ts';
import { createApp } from './app.ts';
import { LocalArtifactSource } from './artifact-source.ts';
import { buildPage } from './build.ts';

export interface StatusServer {
  url: string;
  runUrl(runId: string): string;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  store: ResultStore;
  artifactsDir: string;
  port?: number;
  /** 127.0.0.1 unless told otherwise: results and artifacts are not for the whole network. */
  host?: string;
  approvals?: ApprovalOptions;
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const app = createApp({ store: options.store, artifacts: new LocalArtifactSource(options.artifactsDir), page: () => buildPage(), approvals: options.approvals });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const instance = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => ok(instance));
    instance.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    runUrl: (runId) => `${url}/runs/${runId}`,
    close: () =>
      new Promise((ok) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
