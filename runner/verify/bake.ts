// The bake: for the whole window, run the smoke tests against production, publish their outcome
// and latency, and watch the alarms. CodePipeline's CloudWatchAlarm rule succeeds at once if the
// alarm is OK when first looked at; this keeps looking until the window ends.
import { retryThrottled } from '../aws/throttling.ts';
import type { AlarmSource, AlarmStatus } from './alarm-source.ts';
import { measuredBefore } from './evidence.ts';
import type { MetricSink, SmokeSample } from './metrics.ts';

/** One run of the smoke tests; the signal stops it when the bake ends. */
export type SmokeProbe = (signal?: AbortSignal) => Promise<SmokeSample>;

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
  onCheck?: (statuses: AlarmStatus[]) => void;
  onSample?: (sample: SmokeSample) => void;
  /** How long after a sample the alarm has judged it (the local alarm's period). @default 0 */
  settleMs?: number;
  /**
   * When the release went live. An ALARM that stands only on datapoints measured before it is not
   * this release's evidence: it neither fails the release nor lets the bake end healthy while it lasts.
   * @default every ALARM counts
   */
  since?: number;
  /** Alarms in ALARM on evidence from before `since`, each time they are seen so. */
  onStale?: (statuses: AlarmStatus[]) => void | Promise<void>;
}

export type BakeResult =
  | { healthy: true; checks: number }
  | { healthy: false; alarm: string; state: AlarmStatus['state']; reason: string; at: number; checks: number };

/**
 * The smoke tests run back to back in the background, like a canary, publishing a sample after
 * each; the alarms are checked every poll, as CloudWatch evaluates them on its own clock.
 */
function canary(options: BakeOptions, signal: AbortSignal) {
  let samples = 0;
  let lastAt = 0;
  let failure: unknown;
  const done = (async () => {
    while (options.smoke && !signal.aborted) {
      const sample = await options.smoke(signal);
      if (signal.aborted) break;
      await options.metrics?.put(sample);
      samples++;
      lastAt = sample.at;
      options.onSample?.(sample);
    }
  })().catch((error) => {
    failure = error;
  });
  return { done, state: () => ({ samples, lastAt, failure }) };
}

export async function bake(options: BakeOptions): Promise<BakeResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const end = now() + options.durationMs;
  const insufficient = options.insufficientData ?? 'breach';
  const stop = new AbortController();
  const cancel = () => stop.abort();
  options.signal?.addEventListener('abort', cancel);
  const smoke = canary(options, stop.signal);
  let checks = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new Error('verification cancelled');
      const { failure, samples, lastAt } = smoke.state();
      if (failure) throw failure;
      const statuses = await retryThrottled(() => options.alarms.states(options.names), {
        baseMs: 200,
        capMs: 5_000,
        wait: sleep,
      });
      checks++;
      options.onCheck?.(statuses);
      const since = options.since;
      const stale = statuses.filter(
        (s) => s.state === 'ALARM' && since !== undefined && measuredBefore(s.evidence, since),
      );
      if (stale.length) await options.onStale?.(stale);
      const bad = statuses.find(
        (s) =>
          (s.state === 'ALARM' && !stale.includes(s)) ||
          s.state === 'MISSING' ||
          (s.state === 'INSUFFICIENT_DATA' && insufficient === 'breach'),
      );
      if (bad) {
        const reason =
          bad.state === 'MISSING'
            ? `alarm ${bad.name} disappeared`
            : `${bad.name} is ${bad.state}${bad.reason ? `: ${bad.reason}` : ''}`;
        return { healthy: false, alarm: bad.name, state: bad.state, reason, at: now(), checks };
      }
      // Healthy only on evidence: with smoke tests, at least one sample judged after the window.
      const judged = !options.smoke || (samples > 0 && now() >= lastAt + (options.settleMs ?? 0));
      // An old fault still in the alarm's window hides whether this release is healthy: wait it out.
      if (now() >= end && judged && stale.length === 0) return { healthy: true, checks };
      await sleep(Math.max(1, Math.min(options.pollMs, end - now() > 0 ? end - now() : options.pollMs)));
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', cancel);
    await smoke.done;
  }
}
