// The secret that signs sign-in links and sessions (session.ts), from Secrets Manager: read once
// per execution environment, never put in the function's environment where its configuration
// shows it.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Secrets Manager's default for a generated secret is 32 characters; a key shorter than that is a mistake. */
const MIN_LENGTH = 32;

export function secretsManagerSecret(
  secretId: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () =>
    (pending ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then(
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
    ));
}
