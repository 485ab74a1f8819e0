// Waiting between retries of a throttled AWS call.

/** "Full jitter" exponential backoff: a random wait up to base × 2^try, capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
