// The embedded DynamoDB's door. dynalite answers any signature and any web page
// (`Access-Control-Allow-Origin: *`); in front of it uigate checks what AWS would — a SigV4
// signature with the key this process made (handed to its children and, through a file only this
// user can read, to other uigate processes) — and refuses browsers and unexpected `Host`s.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { refuseLocal } from '../core/local-request.ts';
import { signedWith, type SigningKey } from '../aws/sigv4-check.ts';

/** DynamoDB's own limit on a request body. */
const MAX_BODY = 16 * 1024 * 1024;

function refuse(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message });
  res
    .writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Puts the checks in front of the server's own request handler. `port` is read per request: known once listening. */
export function guardStore(server: Server, key: SigningKey, port: () => number): void {
  const [answer] = server.listeners('request') as RequestListener[];
  if (!answer) throw new Error('the store server has no request handler to guard');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const refusal = refuseLocal(req.headers, { port: port(), browsers: 'none' });
      if (refusal) return refuse(res, 403, 'AccessDeniedException', refusal);
      const body = await readBody(req);
      if (!body) return refuse(res, 413, 'RequestEntityTooLarge', 'request bodies are limited to 16 MB');
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      if (!(await signedWith(request, key)))
        return refuse(
          res,
          400,
          'UnrecognizedClientException',
          "The security token included in the request is invalid: the embedded store answers only uigate processes given its key (see .uigate's server.json)",
        );
      // dynalite reads the body from the request stream, which is spent: it gets the same bytes again.
      const replay = Object.assign(Readable.from(body.length ? [body] : []), {
        headers: req.headers,
        method: req.method,
        url: req.url,
      });
      answer(replay as unknown as IncomingMessage, res);
    })().catch((error: Error) => {
      if (!res.headersSent) refuse(res, 500, 'InternalServerError', error.message);
    });
  });
}
