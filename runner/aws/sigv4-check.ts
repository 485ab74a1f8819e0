// Checks an incoming request's AWS Signature Version 4 against a secret key, as AWS does: for
// uigate's own local servers (the embedded DynamoDB), so that only a process given the key — not
// a web page that found the port — can talk to them.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256.ts';

export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IncomingSigned {
  method: string;
  /** Path and query, as the request line has them. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
/** As AWS: a signature older (or newer) than this is refused, so a captured one cannot be replayed later. */
const SKEW_MS = 15 * 60_000;

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

/** Whether the request is signed with this key: same key id, fresh, and the signature AWS would compute. */
export async function signedWith(request: IncomingSigned, key: SigningKey, now = Date.now()): Promise<boolean> {
  const match = AUTHORIZATION.exec(one(request.headers.authorization) ?? '');
  const amzDate = one(request.headers['x-amz-date']);
  if (!match || !amzDate || match[1] !== key.accessKeyId) return false;
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(signingDate.getTime()) || Math.abs(now - signingDate.getTime()) > SKEW_MS) return false;
  const [, , , region, service, signedHeaders, signature] = match;
  const names = signedHeaders!.split(';');
  const headers = Object.fromEntries(names.map((name) => [name, one(request.headers[name]) ?? '']));
  // The signer trusts a request's own x-amz-content-sha256 over its body, so the header must match
  // the body we got: otherwise a signed header could vouch for a different body.
  const claimed = headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== createHash('sha256').update(request.body).digest('hex')) return false;
  const url = new URL(request.url, `http://${headers.host ?? 'localhost'}`);
  const signer = new SignatureV4({
    credentials: key,
    region: region!,
    service: service!,
    sha256: Sha256,
    uriEscapePath: true,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(names), unsignableHeaders: new Set() },
  );
  const computed = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? '';
  return computed.length === signature!.length && timingSafeEqual(Buffer.from(computed), Buffer.from(signature!));
}
