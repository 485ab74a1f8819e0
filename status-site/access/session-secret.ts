// The secret that signs sign-in links and sessions (session.ts), from Secrets Manager: kept for a
// few minutes per execution environment, never put in the function's environment where its
// configuration shows it. Kept for minutes, not for the function's life: putting a new value signs
// everyone out within that time on every warm function too.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Secrets Manager's default for a generated secret is 32 characters; a key shorter than that is a mistake. */
const MIN_LENGTH = 32;
/** How long a read value is used before asking again: how long a rotation takes to sign everyone out. */
export const SECRET_MAX_AGE_MS = 5 * 60_000;

export function secretsManagerSecret(
  secretId: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
  options: { maxAgeMs?: number; now?: () => number } = {},
): () => Promise<string> {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? SECRET_MAX_AGE_MS;
  let pending: Promise<string> | undefined;
  let readAt = 0;
  return () => {
    if (pending && now() - readAt >= maxAgeMs) pending = undefined;
    if (pending) return pending;
    readAt = now();
    pending = client.send(new GetSecretValueCommand({ SecretId: secretId })).then(
      ({ SecretString }) => {
        if (!SecretString || SecretString.length < MIN_LENGTH)
          throw new Error(
            `secret ${secretId} is empty or shorter than ${MIN_LENGTH} characters: it cannot sign sessions`,
          );
        return SecretString;
      },
      (error: unknown) => {
        // Not remembered: a throttled read is tried again by the next request.
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
