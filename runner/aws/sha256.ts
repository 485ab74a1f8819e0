// SHA-256 (HMAC-SHA-256 when keyed) in the shape @smithy/signature-v4 expects, from node:crypto:
// for signing requests (uigate approve, the embedded store's clients) and checking them.
import { createHash, createHmac } from 'node:crypto';
import type { SourceData } from '@smithy/types';

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (HMAC-SHA-256 when keyed) in the shape SignatureV4 expects, from node:crypto. */
export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}
