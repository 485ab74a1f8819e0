// Serves the status site under Node on 127.0.0.1: page, API and local artifacts.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { ResultStore } from '../../runner/store/result-store.ts';
import type { ApprovalOptions } from '../access/approvers.ts';
import type { ReadAccess } from '../access/read-access.ts';
import { createApp, isReportData } from '../app/app.ts';
import { refuseLocal } from '../../runner/core/local-request.ts';
import { ArtifactReaders, LocalArtifactReader, type ArtifactReader } from '../artifacts/artifact-reader.ts';
import { installedPage } from './page-assets.ts';
import { S3ArtifactReader } from '../artifacts/s3-artifact-reader.ts';
import { traceViewerDir } from '../app/trace-viewer.ts';
import type { S3ArtifactsOptions } from '../../runner/artifacts/s3-artifacts.ts';

/**
 * The Origin the local check judges. The report's own fetches of its attachments come from its
 * sandboxed, opaque origin ("null"); for those GETs alone it is not held against them (app.ts,
 * isReportData: content-addressed names). The Host check still applies.
 */
function originOf(request: Request): string | undefined {
  const origin = request.headers.get('origin') ?? undefined;
  if (origin !== 'null' || request.method !== 'GET') return origin;
  const path = new URL(request.url).pathname.replace(/^\/reports\/[^/]+\/(~[^/]+\/)?/, '');
  return new URL(request.url).pathname.startsWith('/reports/') && isReportData(path) ? undefined : origin;
}

export interface StatusServer {
  url: string;
  runUrl(runId: string): string;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  store: ResultStore;
  artifactsDir: string;
  /** Where Lambda and CodeBuild batches put theirs (config `artifacts.bucket`); asked after the folder. */
  artifactsBucket?: S3ArtifactsOptions;
  port?: number;
  /** 127.0.0.1 unless told otherwise: results and artifacts are not for the whole network. */
  host?: string;
  approvals?: ApprovalOptions;
  /** Reads only with a session (read-access.ts), as in AWS; off under Node, where 127.0.0.1 is the boundary. */
  readAccess?: ReadAccess;
}

/** Makes the artifact options for a config's `artifacts`: its folder, and its bucket when it names one. */
export function artifactsOf(artifacts: {
  dir: string;
  bucket?: string;
  prefix?: string;
  endpoint?: string;
}): Pick<StatusServerOptions, 'artifactsDir' | 'artifactsBucket'> {
  const { dir, bucket, prefix, endpoint } = artifacts;
  return { artifactsDir: dir, artifactsBucket: bucket ? { bucket, prefix, endpoint } : undefined };
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const bucket = options.artifactsBucket && new S3ArtifactReader(options.artifactsBucket);
  const local = new LocalArtifactReader(options.artifactsDir);
  const artifacts: ArtifactReader = bucket ? new ArtifactReaders(local, bucket) : local;
  const app = createApp({
    store: options.store,
    artifacts,
    page: installedPage(),
    approvals: options.approvals,
    readAccess: options.readAccess,
    traceViewer: traceViewerDir(),
  });
  const host = options.host ?? '127.0.0.1';
  let port = 0;
  // DNS rebinding: a page on a domain that resolves to 127.0.0.1 would read the site as its own.
  const guarded = (request: Request) => {
    const refusal = refuseLocal(
      { host: request.headers.get('host') ?? undefined, origin: originOf(request) },
      { port, browsers: 'own-page' },
    );
    if (!refusal) return app.fetch(request);
    return new Response(`${refusal}\n`, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  };
  const server = await new Promise<ServerType>((ok, fail) => {
    const instance = serve({ fetch: guarded, port: options.port ?? 0, hostname: host }, () => ok(instance));
    instance.once('error', fail);
  });
  ({ port } = server.address() as AddressInfo);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    runUrl: (runId) => `${url}/runs/${runId}`,
    close: () =>
      new Promise((ok) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => {
          bucket?.close();
          ok();
        });
      }),
  };
}
