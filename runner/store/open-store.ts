// Opens the store a configuration names: a DynamoDB endpoint (real, DynamoDB Local, or another
// process's embedded server) or, by default, the embedded dynalite under .uigate/.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { InfraError } from '../core/errors.ts';
import { DynamoStore } from './dynamo-store.ts';
import { embeddedServer, type EmbeddedServer } from './embedded.ts';
import { failoverStore } from './failover.ts';
import { ensureTable } from './table.ts';
import type { SigningKey } from '../aws/sigv4-check.ts';
import type { StoreAddress } from './store-address.ts';
import { isLoopbackUrl } from '../core/local-request.ts';

export interface StoreSettings {
  /** dynalite in this process (or another uigate process's), with its data in `dataDir`. */
  embedded: boolean;
  /** DynamoDB endpoint URL (DynamoDB Local, say); absent with `embedded` off means AWS itself. */
  endpoint?: string;
  /** What to sign with at `endpoint` when it is another process's embedded store. */
  key?: SigningKey;
  table: string;
  region: string;
  /** Folder of the embedded store's data. */
  dataDir: string;
  retentionDays?: number;
  /** Create the table when it is missing (never in AWS, where infra/ owns it). */
  createTable?: boolean;
}

export interface OpenedStore {
  store: DynamoStore;
  /** The endpoint child processes should use: the same server, not a second one. */
  endpoint?: string;
  /** The embedded server's key, for the processes this one starts. */
  key?: SigningKey;
}

// The SDK's notice that Node 20 support ends in 2027 would otherwise open every run's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const isLocal = isLoopbackUrl;

export function dynamoClient(endpoint: string | undefined, region: string, key?: SigningKey): DynamoDBClient {
  const local = endpoint !== undefined && isLocal(endpoint);
  return new DynamoDBClient({
    region,
    endpoint,
    // The embedded store wants its own key; other local stand-ins (DynamoDB Local) accept any, and a
    // laptop user should not have to configure AWS for them.
    // A copy: the SDK marks the credentials object it is given (`$source`), and the key travels on.
    credentials: key
      ? { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }
      : local && !process.env.AWS_ACCESS_KEY_ID
        ? { accessKeyId: 'local', secretAccessKey: 'local' }
        : undefined,
    maxAttempts: 6,
    logger: QUIET_LOGGER,
  });
}

/**
 * A logger with no `info`: the SDK's logger middleware calls `logger?.info?.(…)` with a redacted
 * copy of every request and response, built even for its own no-op logger. Without `info` it is
 * never built: on a 5,000-unit run's Query that copy was about a fifth of the read (BENCHMARKS.md).
 */
const QUIET_LOGGER = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as NonNullable<DynamoDBClientConfig['logger']>;

/** Connects to a store another process set up: no embedded server, no table creation. */
export function connectStore(settings: StoreAddress): DynamoStore {
  const client = dynamoClient(settings.endpoint, settings.region, settings.key);
  return new DynamoStore({
    client,
    table: settings.table,
    retentionDays: settings.retentionDays,
    onClose: async () => client.destroy(),
  });
}

export async function openStore(settings: StoreSettings): Promise<OpenedStore> {
  const server = settings.embedded ? await embeddedServer(settings.dataDir) : undefined;
  const endpoint = settings.endpoint ?? server?.endpoint;
  const key = settings.endpoint ? settings.key : server?.key;
  const store = await storeOn(settings, endpoint, key, server);
  if (!server || settings.endpoint) return { store, endpoint, key };
  // The embedded server may be another process's: if that process dies, this one carries on.
  const reopen = async () => {
    const next = await embeddedServer(settings.dataDir);
    return storeOn(settings, next.endpoint, next.key, next);
  };
  return { store: failoverStore(store, reopen), endpoint, key };
}

async function storeOn(
  settings: StoreSettings,
  endpoint: string | undefined,
  key: SigningKey | undefined,
  server: EmbeddedServer | undefined,
): Promise<DynamoStore> {
  const client = dynamoClient(endpoint, settings.region, key);
  try {
    // In AWS the table is infra/'s; locally uigate makes what it needs.
    if (settings.createTable ?? (settings.embedded || (endpoint !== undefined && isLocal(endpoint))))
      await ensureTable(client, settings.table);
  } catch (error) {
    client.destroy();
    await server?.stop();
    throw new InfraError(
      `cannot reach the result store at ${endpoint ?? `DynamoDB (${settings.region})`}: ${(error as Error).message}`,
    );
  }
  return new DynamoStore({
    client,
    table: settings.table,
    retentionDays: settings.retentionDays,
    onClose: async () => {
      client.destroy();
      await server?.stop();
    },
  });
}

/** The embedded store on a data folder, with the default table (tests, benchmarks, tools). */
export const openEmbeddedStore = (dataDir: string, table = 'uigate') =>
  openStore({ embedded: true, table, region: 'us-east-1', dataDir });
