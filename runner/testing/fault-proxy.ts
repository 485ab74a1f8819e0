// Test helper: an HTTP proxy in front of a real stand-in (dynalite, the local Lambda endpoint)
// that answers some requests itself — the injected fault — and forwards the rest untouched.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InjectedFault {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaultProxy {
  url: string;
  close(): Promise<void>;
}

export async function faultProxy(
  upstreamUrl: string,
  fault: (req: IncomingMessage) => InjectedFault | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const injected = fault(req);
      if (injected) {
        res.writeHead(injected.status, injected.headers).end(injected.body);
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
