// `uigate approve` (and `uigate open`) against AWS: the request goes to the approval function's URL
// (AWS_IAM auth), signed with the caller's credentials (SigV4), so the function learns who asks from
// AWS itself and only the function needs the right to answer the pipeline.
import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, SourceData } from '@smithy/types';

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

export interface SignedResponse<T = { error?: string; state?: string; duplicate?: boolean; approver?: string }> {
  status: number;
  body: T & { error?: string };
}

/** A JSON POST to a function URL with AWS_IAM auth, signed with the caller's credentials. */
export async function postSigned<T>(
  functionUrl: string,
  path: string,
  payload: Record<string, unknown>,
  purpose: 'approval' | 'session',
  region: string,
  credentials: AwsCredentialIdentityProvider = defaultProvider(),
): Promise<SignedResponse<T>> {
  const url = new URL(path, functionUrl);
  const body = JSON.stringify(payload);
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json', 'x-uigate-request': purpose },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as SignedResponse<T>['body'] };
}

export function postSignedApproval(
  functionUrl: string,
  runId: string,
  decision: Record<string, unknown>,
  region: string,
  credentials?: AwsCredentialIdentityProvider,
): Promise<SignedResponse> {
  return postSigned(
    functionUrl,
    `/api/runs/${encodeURIComponent(runId)}/approval`,
    decision,
    'approval',
    region,
    credentials,
  );
}
