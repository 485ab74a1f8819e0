// A raw HTTP request with the headers exactly as given — fetch would not let a test set Host,
// Origin or Sec-Fetch-Site — for tests of what a local server refuses.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

export function rawRequest(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const body = options.body ?? '{}';
  return new Promise<RawAnswer>((ok, fail) => {
    const req = request(
      {
        host: hostname,
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.once('error', fail);
    req.end(body);
  });
}
