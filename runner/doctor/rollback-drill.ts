// Does a rollback reach users? A drill on a site behind CloudFront: stage a copy of the live
// release with one extra file, publish it, see that file through the site's URL, roll back to
// the live release as `uigate verify` does (publish it again), and see the file gone — the same
// URL, no cache-busting. A CDN that keeps objects without Cache-Control (CloudFront's
// CachingOptimized: 24 h) keeps serving it, and users would keep a rolled-back release as long.
// Users see no change: the drill release is the live one plus a file nobody links to, so it may
// run on production, the site whose rollbacks matter — never while a release is being baked there.
import { randomUUID } from 'node:crypto';
import type { ResultStore } from '../store/result-store.ts';
import type { S3SiteTarget } from '../verify/s3-site-target.ts';
import { leaseHolder, TargetBusyError, withTargetLease } from '../verify/target-lease.ts';
import { failed, passed, skipped, type Check } from './check.ts';

export interface RollbackDrillOptions {
  target: Pick<S3SiteTarget, 'name' | 'live' | 'publish' | 'stageFrom' | 'discard'>;
  /** The site's public URL (its CloudFront distribution). */
  url: string;
  /**
   * Where releases are recorded: no drill while one is being baked on the target, and none while
   * a promote or rollback holds its lease (the drill holds it too, for its whole length).
   */
  store: Pick<ResultStore, 'listReleases' | 'takeLease' | 'dropLease'>;
  fetch?: typeof fetch;
}

async function read(fetcher: typeof fetch, url: string) {
  const response = await fetcher(url, { redirect: 'manual' });
  return { status: response.status, body: response.ok ? await response.text() : '' };
}

export const rollbackDrillCheck = (options: RollbackDrillOptions): Check => ({
  name: 'rollback reaches users',
  async run() {
    const { target } = options;
    try {
      return await withTargetLease(
        options.store,
        target.name,
        leaseHolder("uigate doctor's rollback drill"),
        () => drill(options),
        { waitMs: 0 },
      );
    } catch (error) {
      if (!(error instanceof TargetBusyError)) throw error;
      return skipped(
        `${target.name} is being changed by ${error.held.holder}; no drill during a promote or rollback`,
        'run the doctor again when it has finished',
      );
    }
  },
});

async function drill(options: RollbackDrillOptions) {
  const { target } = options;
  const fetcher = options.fetch ?? fetch;
  const live = await target.live();
  if (!live)
    return skipped(
      `nothing has been promoted to ${target.name} yet`,
      'run the pipeline once (or uigate promote), then the doctor',
    );
  const [newest] = await options.store.listReleases(target.name, { limit: 1 });
  if (newest?.status === 'promoted')
    return skipped(
      `release ${newest.releaseId} is being baked on ${target.name}; no drill during a release`,
      'run the doctor again when the Production stage has finished',
    );
  const nonce = randomUUID();
  const drillId = `doctor-${Date.now()}`;
  const marker = `uigate-doctor-${nonce}.txt`;
  const markerUrl = new URL(marker, options.url.endsWith('/') ? options.url : `${options.url}/`).href;
  await target.stageFrom(drillId, live, [{ path: marker, body: nonce }]);
  try {
    await target.publish(drillId);
    const published = await read(fetcher, markerUrl);
    if (published.body !== nonce)
      return failed(
        `after publishing drill release ${drillId}, ${markerUrl} answered ${published.status}`,
        `the URL does not serve ${target.name}: give the site's CloudFront URL`,
      );
    await target.publish(live);
    const after = await read(fetcher, markerUrl);
    if (after.body === nonce)
      return failed(
        `rolled back to ${live}, yet ${markerUrl} still serves the drill release`,
        "the distribution caches objects without Cache-Control: use uigate's WebSite construct (default TTL 0), or a cache policy with a default TTL of 0",
      );
    return passed(
      `published a drill release over ${live} and saw it, rolled back, and the site stopped serving it (${after.status})`,
    );
  } finally {
    // Never leave the drill live, whatever failed above.
    if ((await target.live()) !== live) await target.publish(live);
    await target.discard(drillId);
  }
}
