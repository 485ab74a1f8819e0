// Who may read the status site in AWS. Results, errors and screenshots are not for anyone who
// learns the CloudFront address, and browsers cannot sign requests with IAM; so an IAM caller asks
// the approval function (AWS_IAM URL) for a sign-in link, and the link's token becomes a session
// cookie on the status site. Both tokens are HMAC-signed with one secret from Secrets Manager.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'uigate_session';
/** A sign-in link is for following now, not for pasting into a chat. */
export const LINK_SECONDS = 300;
export const SESSION_SECONDS = 12 * 3600;
/** A report's capability URL: long enough to read a report, short enough that a copied one dies. */
export const REPORT_SECONDS = 4 * 3600;

/**
 * link: a sign-in link's token (its subject the reader); session: the cookie it becomes; report:
 * the capability in a Playwright report's URL (its subject the run).
 */
export type TokenPurpose = 'link' | 'session' | 'report';

const TTL: Record<TokenPurpose, number> = { link: LINK_SECONDS, session: SESSION_SECONDS, report: REPORT_SECONDS };

interface Payload {
  /** Who (the IAM caller's ARN), or for a report which run. */
  sub: string;
  pur: TokenPurpose;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function mintToken(secret: string, sub: string, purpose: TokenPurpose, now = new Date()): string {
  const ttl = TTL[purpose];
  const body = Buffer.from(
    JSON.stringify({ sub, pur: purpose, exp: Math.floor(now.getTime() / 1000) + ttl } satisfies Payload),
  ).toString('base64url');
  return `v1.${body}.${sign(secret, body)}`;
}

/** Verifies a token: its subject when it is ours, for this purpose and not expired; else undefined. */
export function verifyToken(
  secret: string,
  token: string | undefined,
  purpose: TokenPurpose,
  now = new Date(),
): string | undefined {
  const [version, body, signature] = token?.split('.') ?? [];
  if (version !== 'v1' || !body || !signature) return undefined;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Partial<Payload>;
    if (payload.pur !== purpose || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
    return payload.exp * 1000 > now.getTime() ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}
