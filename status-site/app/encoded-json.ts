// A JSON body kept ready to send again and again: its ETag worked out once, and a gzipped copy
// made once, when first asked for. A run of 20,000 units is about 6 MB of JSON, which is more than
// a Lambda function URL may answer (6 MB); gzipped it is a tenth of that. Polls of an unchanged
// run cost neither a hash nor a compression.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Below this, gzip saves less than it costs. */
const GZIP_FROM_BYTES = 1024;

export interface Encoded {
  body: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

export class EncodedJson {
  readonly etag: string;
  private gzipped?: Promise<Uint8Array<ArrayBuffer>>;

  constructor(readonly json: string) {
    this.etag = createHash('sha1').update(json).digest('base64url');
  }

  /** Gives the body and headers for a request that sent this Accept-Encoding. */
  async for(acceptEncoding: string | undefined): Promise<Encoded> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      vary: 'accept-encoding',
    };
    if (this.json.length < GZIP_FROM_BYTES || !acceptsGzip(acceptEncoding))
      return { body: this.json, headers: { ...headers, etag: `"${this.etag}"` } };
    // A shared gzip of one entry; a failed one is forgotten so the next request tries again.
    this.gzipped ??= gzipAsync(this.json).then(
      (bytes) => new Uint8Array(bytes),
      (error: unknown) => {
        this.gzipped = undefined;
        throw error;
      },
    );
    // Each representation has its own strong ETag (RFC 9110 §8.8.3).
    return { body: await this.gzipped, headers: { ...headers, 'content-encoding': 'gzip', etag: `"${this.etag}-gz"` } };
  }
}

/** Tells whether an Accept-Encoding header lets us send gzip: named (or `*`) and not with q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((piece) => piece.trim());
    if (!name) continue;
    const q = params.find((param) => param.startsWith('q='));
    weights.set(name, q ? Number(q.slice(2)) : 1);
  }
  const weight = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0;
  return weight > 0;
}
