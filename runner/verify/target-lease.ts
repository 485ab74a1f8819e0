// One change at a time on a production target. Promote, rollback and the doctor's drill each
// publish there; two at once leave the store saying one release is live while the target serves
// another (a drill putting back the release it found, after a promote made a new one live). Each
// takes the target's lease first, in one conditional write; a lease whose holder died lapses.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { InfraError } from '../core/errors.ts';
import type { ResultStore, TargetLease } from '../store/result-store.ts';

export interface LeaseOptions {
  /** How long to wait for another holder to finish. 0: stop at once. @default 120 s */
  waitMs?: number;
  /** How long the lease lasts if never given back (its holder died). @default 15 min */
  ttlMs?: number;
  pollMs?: number;
  /** Said once when the target is busy and the caller waits. */
  onWait?: (held: TargetLease) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

type LeaseStore = Pick<ResultStore, 'takeLease' | 'dropLease'>;

/** Names who would hold a lease (user, host, process), so the one who waits can be told. */
export function leaseHolder(what: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the host and pid still tell.
  }
  return `${what} (${user}@${hostname()}, pid ${process.pid}, ${randomUUID().slice(0, 8)})`;
}

export class TargetBusyError extends InfraError {
  override readonly name = 'TargetBusyError';
  constructor(
    target: string,
    readonly held: TargetLease,
  ) {
    super(
      `${target} is being changed by ${held.holder} since ${held.since}: nothing was published; run this again when it has finished (its lease lapses at ${new Date(held.until).toISOString()} if it died)`,
    );
  }
}

/** Runs `work` holding the target's lease; waits for another holder up to `waitMs`, then stops with TargetBusyError. */
export async function withTargetLease<T>(
  store: LeaseStore,
  target: string,
  holder: string,
  work: () => Promise<T>,
  options: LeaseOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const ttl = options.ttlMs ?? 15 * 60_000;
  const started = now();
  let told = false;
  for (;;) {
    const at = now();
    const lease = { holder, since: new Date(at).toISOString(), until: at + ttl };
    const answer = await store.takeLease(target, lease, at);
    if (answer.taken) break;
    if (now() - started >= (options.waitMs ?? 120_000)) throw new TargetBusyError(target, answer.lease);
    if (!told && answer.lease.holder) options.onWait?.(answer.lease);
    told ||= Boolean(answer.lease.holder);
    await sleep(options.pollMs ?? 1_000);
  }
  try {
    return await work();
  } finally {
    await store.dropLease(target, holder);
  }
}
