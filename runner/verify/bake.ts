// The bake: for the whole window, run the smoke tests against production, publish their outcome
// and latency, and watch the alarms. CodePipeline's CloudWatchAlarm rule succeeds at once if the
// alarm is OK when first looked at; this keeps looking until the window ends.
import { backoffMs } from '../backoff.ts';
import type { AlarmSource, AlarmStatus } from './alarm-source.ts';
import type { MetricSink, SmokeSample } from './metrics.ts';

export type SmokeProbe = () => Promise<SmokeSample>;

export interface BakeOptions {
  alarms: AlarmSource;
  names: readonly string[];
  durationMs: number;
  /** Time between checks. */
  pollMs: number;
  smoke?: SmokeProbe;
  metrics?: MetricSink;
  /** What INSUFFICIENT_DATA during the bake means. @default 'breach' */
  insufficientData?: 'breach' | 'ok';
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onCheck?: (statuses: AlarmStatus[], sample?: SmokeSample) => void;
}

export type BakeResult =
  | { healthy: true; checks: number }
  | { healthy: false; alarm: string; state: AlarmStatus['state']; reason: string; at: number; checks: number };

const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|Rate exceeded/i;

/** An AWS read that is throttled is tried again after a jittered wait, a few times. */
async function patiently<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>, tries = 6): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const name = `${(error as Error).name} ${(error as Error).message}`;
      if (attempt + 1 >= tries || !THROTTLED.test(name)) throw error;
      await sleep(backoffMs(attempt, 200, 5_000));
    }
  }
}

export async function bake(options: BakeOptions): Promise<BakeResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const end = now() + options.durationMs;
  const insufficient = options.insufficientData ?? 'breach';
  let checks = 0;
  for (;;) {
    if (options.signal?.aborted) throw new Error('verification cancelled');
    let sample: SmokeSample | undefined;
    if (options.smoke) {
      sample = await options.smoke();
      await options.metrics?.put(sample);
    }
    const statuses = await patiently(() => options.alarms.states(options.names), sleep);
    checks++;
    options.onCheck?.(statuses, sample);
    const bad = statuses.find((s) => s.state === 'ALARM' || s.state === 'MISSING' || (s.state === 'INSUFFICIENT_DATA' && insufficient === 'breach'));
    if (bad) {
      const reason = bad.state === 'MISSING' ? `alarm ${bad.name} disappeared` : `${bad.name} is ${bad.state}${bad.reason ? `: ${bad.reason}` : ''}`;
      return { healthy: false, alarm: bad.name, state: bad.state, reason, at: now(), checks };
    }
    const left = end - now();
    if (left <= 0) return { healthy: true, checks };
    await sleep(Math.min(options.pollMs, left));
  }
}
