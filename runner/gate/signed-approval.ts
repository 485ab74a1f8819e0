// `uigate approve` (and `uigate open`) against AWS: the request goes to the approval function's URL
// (AWS_IAM auth), signed with the caller's credentials (SigV4), so the function learns who asks from
// AWS itself and only the function needs the right to answer the pipeline.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Sha256 } from '../aws/sha256.ts';

export interface SignedResponse<T = { error?: string; state?: string; duplicate?: boolean; approver?: string }> {
  status: number;
  body: T & { error?: string };
}

/** Sends a JSON POST to a function URL with AWS_IAM auth, signed with the caller's credentials. */
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
