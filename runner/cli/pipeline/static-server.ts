// Serves a folder of static files over HTTP on 127.0.0.1: the sample site for the tests, and
// later the local candidate and production sites. Nothing outside the folder is reachable.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalize, resolve, sep } from 'node:path';
import { contentTypeOf } from '../../core/content-types.ts';

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Maps a URL path to a file under root, or undefined when it would leave root. */
export function fileFor(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  if (path.endsWith('/')) path += 'index.html';
  const base = resolve(root);
  const file = resolve(base, '.' + normalize('/' + path));
  return file === base || file.startsWith(base + sep) ? file : undefined;
}

export async function serveStatic(root: string, port = 0, host = '127.0.0.1'): Promise<StaticServer> {
  const server = createServer(async (req, res) => {
    const file = fileFor(root, req.url ?? '/');
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypeOf(file),
      'content-length': info.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
