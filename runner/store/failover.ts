// The embedded store outlives the process that started it. Another uigate process (`uigate serve`,
// a second run) may own the server this one uses; when that owner dies, its data folder is still
// whole (LevelDB), so this process starts the server again on it — or uses the one a third process
// started first — and retries what failed. Results the tests produced are never lost to it.
import { type DynamoStore } from './dynamo-store.ts';

/** What connecting to a gone server fails with, after the SDK's own retries. */
const LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return code !== undefined && LOST.has(code);
}

/**
 * A DynamoStore that, when its server is gone, asks `reopen` for a store on a live one and tries
 * the call again (once: a second loss is the caller's error). Writes are idempotent (conditional on
 * seq, keyed events), so a write that went in before the connection broke is not doubled.
 */
export function failoverStore(first: DynamoStore, reopen: () => Promise<DynamoStore>): DynamoStore {
  let current = first;
  let reopening: Promise<DynamoStore> | undefined;
  let closed = false;
  const swap = (lost: DynamoStore) => {
    // Several calls fail together: one reopen serves them all.
    if (current !== lost) return Promise.resolve(current);
    reopening ??= reopen().then(
      async (next) => {
        current = next;
        reopening = undefined;
        await lost.close().catch(() => undefined);
        return next;
      },
      (error: unknown) => {
        reopening = undefined;
        throw error;
      },
    );
    return reopening;
  };
  return new Proxy(first, {
    get(_target, property) {
      if (property === 'close')
        return async () => {
          closed = true;
          await current.close();
        };
      // Not a call to the store: the log it hands out talks to the store of the moment.
      if (property === 'pipelineLog') return () => current.pipelineLog();
      const value = Reflect.get(current, property, current) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const used = current;
        try {
          return await (Reflect.get(used, property, used) as (...a: unknown[]) => unknown).apply(used, args);
        } catch (error) {
          if (closed || !isConnectionLost(error)) throw error;
          const next = await swap(used);
          return (Reflect.get(next, property, next) as (...a: unknown[]) => unknown).apply(next, args);
        }
      };
    },
  });
}
