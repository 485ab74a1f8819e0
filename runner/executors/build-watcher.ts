// Follows every build a CodeBuild executor has in flight with one BatchGetBuilds per poll for up
// to 100 of them — the API's limit on `ids` (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_BatchGetBuilds.html:
// "Minimum number of 1 item. Maximum number of 100 items.") — instead of one call per build: at
// 20 or more builds in flight, per-build polling is most of the account's CodeBuild API rate.
import { BatchGetBuildsCommand, type Build, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { retryThrottled } from '../aws/throttling.ts';

/** BatchGetBuilds takes at most this many ids a call. */
export const MAX_IDS = 100;

const DONE = new Set(['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED']);

export interface BuildWatcherOptions {
  /** First poll after a build joins, then ×1.5 a poll up to `maxMs` while builds stay in flight. */
  poll?: { initialMs?: number; maxMs?: number };
  throttle?: { maxTries?: number; baseMs?: number; capMs?: number };
}

interface Watch {
  resolve(build: Build | undefined): void;
  reject(error: unknown): void;
}

export class BuildWatcher {
  private readonly watched = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private delay: number;

  constructor(
    private readonly client: CodeBuildClient,
    private readonly options: BuildWatcherOptions = {},
  ) {
    this.delay = this.initialMs;
  }

  private get initialMs() {
    return this.options.poll?.initialMs ?? 5_000;
  }

  /**
   * Resolves with the build once it is done, or with undefined once BatchGetBuilds no longer
   * returns it (gone); rejects when polling fails past the throttling retries, or on `signal`.
   */
  until(buildId: string, signal: AbortSignal): Promise<Build | undefined> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.watched.delete(buildId);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const settled = (then: () => void) => {
        signal.removeEventListener('abort', onAbort);
        this.watched.delete(buildId);
        then();
      };
      this.watched.set(buildId, {
        resolve: (build) => settled(() => resolve(build)),
        reject: (error) => settled(() => reject(error)),
      });
      if (!this.timer) this.schedule(this.initialMs);
    });
  }

  private schedule(delay: number) {
    this.delay = delay;
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    const ids = [...this.watched.keys()];
    const chunks = Array.from({ length: Math.ceil(ids.length / MAX_IDS) }, (_, i) =>
      ids.slice(i * MAX_IDS, (i + 1) * MAX_IDS),
    );
    await Promise.all(chunks.map((chunk) => this.pollChunk(chunk)));
    this.timer = undefined;
    if (this.watched.size) this.schedule(Math.min(this.options.poll?.maxMs ?? 30_000, Math.round(this.delay * 1.5)));
  }

  private async pollChunk(ids: string[]): Promise<void> {
    let builds: Build[];
    try {
      ({ builds = [] } = await retryThrottled(() => this.client.send(new BatchGetBuildsCommand({ ids })), {
        baseMs: 1_000,
        capMs: 30_000,
        ...this.options.throttle,
      }));
    } catch (error) {
      for (const id of ids) this.watched.get(id)?.reject(error);
      return;
    }
    const byId = new Map(builds.map((build) => [build.id, build]));
    for (const id of ids) {
      const build = byId.get(id);
      if (!build) this.watched.get(id)?.resolve(undefined);
      else if (build.buildStatus && DONE.has(build.buildStatus)) this.watched.get(id)?.resolve(build);
    }
  }

  close() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
