// How a process that did not open the store reaches it: a DynamoDB endpoint (none: AWS itself)
// and, for the embedded server, the key its requests must be signed with.
import type { SigningKey } from '../aws/sigv4-check.ts';

export interface StoreAccess {
  endpoint?: string;
  key?: SigningKey;
}

export interface StoreAddress extends StoreAccess {
  table: string;
  region: string;
  /**
   * store.retentionDays: a unit result written without it would replace the queued item, expiry
   * and all, and never expire.
   */
  retentionDays?: number;
}

/** Reads the key as a child process's environment carries it (JSON); undefined when absent or not a key. */
export function parseKey(text: string | undefined): SigningKey | undefined {
  if (!text) return undefined;
  try {
    const { accessKeyId, secretAccessKey } = JSON.parse(text) as Partial<SigningKey>;
    return typeof accessKeyId === 'string' && typeof secretAccessKey === 'string'
      ? { accessKeyId, secretAccessKey }
      : undefined;
  } catch {
    return undefined;
  }
}
