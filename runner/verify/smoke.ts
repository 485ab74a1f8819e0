// The smoke probe of a bake: the project's @smoke UI tests run as a run session (run/session.ts) against
// production (so each probe is a run on the status site too), reduced to one sample — how many
// failed, how many ran, how long it took.
import { Writable } from 'node:stream';
import { runSession } from '../run/session.ts';
import { SMOKE_TRIGGER } from '../core/selection.ts';
import type { SmokeProbe } from './bake.ts';

export interface SmokeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  baseUrl: string;
  config?: string;
  grep?: string;
  /** @default ['chromium']: one browser, as a synthetic canary uses. */
  projects?: string[];
  signal: AbortSignal;
  /** Where each probe's one-line outcome goes. */
  log: (line: string) => void;
}

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

export function smokeProbe(options: SmokeOptions): SmokeProbe {
  return async (stop?: AbortSignal) => {
    const started = Date.now();
    try {
      const summary = await runSession(
        {
          grep: options.grep ?? '@smoke',
          baseUrl: options.baseUrl,
          project: options.projects ?? ['chromium'],
          config: options.config,
          json: true,
          trigger: SMOKE_TRIGGER,
          retries: 0,
        },
        {
          cwd: options.cwd,
          env: options.env,
          stdout: sink(),
          stderr: sink(),
          tty: false,
          signal: stop ? AbortSignal.any([options.signal, stop]) : options.signal,
        },
      );
      // Stopped because the bake is over: not a sample.
      if (stop?.aborted) return { failures: 0, total: 0, latencyMs: Date.now() - started, at: Date.now() };
      const failures = (summary.counts.failed ?? 0) + (summary.counts.errored ?? 0) + (summary.counts.cancelled ?? 0);
      options.log(
        `smoke ${summary.runId}: ${failures ? `${failures} of ${summary.total} failed` : `${summary.total} passed`} in ${((summary.durationMs ?? 0) / 1000).toFixed(1)}s`,
      );
      // Stamped when the outcome is known, as a canary's datapoint is.
      return {
        failures,
        total: summary.total,
        latencyMs: summary.durationMs ?? Date.now() - started,
        at: Date.now(),
        runId: summary.runId,
      };
    } catch (error) {
      // A probe that cannot run at all is a failed probe: production is not shown healthy.
      if (stop?.aborted) return { failures: 0, total: 0, latencyMs: Date.now() - started, at: Date.now() };
      options.log(`smoke could not run: ${(error as Error).message}`);
      return { failures: 1, total: 0, latencyMs: Date.now() - started, at: Date.now() };
    }
  };
}
