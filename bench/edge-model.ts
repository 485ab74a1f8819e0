// One CloudFront edge location, as the CloudFront developer guide describes its expiration
// ("Manage how long content stays in the cache"): an object is kept for the origin's
// Cache-Control s-maxage or max-age, clamped to the cache policy's minimum and maximum TTL, or for
// the default TTL when it says nothing; `no-cache`, `no-store` and `private` are honoured only
// with a minimum TTL of 0. An expired object is revalidated with a conditional GET. This is a
// model of the edge for counting origin requests, on a clock of its own; the origin is real S3
// (moto_server), so what Cache-Control each object carries is what S3 stored and copied.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface CachePolicyTtl {
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
}

/** WebSite's cache policy (cdk/web-site.ts), in seconds. */
export const WEB_SITE_POLICY: CachePolicyTtl = { minTtl: 0, defaultTtl: 0, maxTtl: 365 * 86_400 };

export function ttlOf(cacheControl: string | undefined, policy: CachePolicyTtl): number {
  const directives = (cacheControl ?? '').toLowerCase();
  if (policy.minTtl === 0 && /\b(no-cache|no-store|private)\b/.test(directives)) return 0;
  const age = /s-maxage=(\d+)/.exec(directives) ?? /max-age=(\d+)/.exec(directives);
  if (!age) return policy.defaultTtl;
  return Math.min(policy.maxTtl, Math.max(policy.minTtl, Number(age[1])));
}

interface Entry {
  body: string;
  etag: string;
  ttl: number;
  expires: number;
}

export class EdgeModel {
  /** GETs that reached S3, conditional ones (answered 304) included. */
  originRequests = 0;
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly policy: CachePolicyTtl = WEB_SITE_POLICY,
  ) {}

  /** What a viewer asking for `path` at `now` (seconds) gets. */
  async get(path: string, now: number): Promise<string> {
    const key = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    const cached = this.cache.get(path);
    if (cached && cached.expires > now) return cached.body;
    this.originRequests++;
    try {
      const answer = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, IfNoneMatch: cached?.etag }),
      );
      const ttl = ttlOf(answer.CacheControl, this.policy);
      const entry = { body: await answer.Body!.transformToString(), etag: answer.ETag!, ttl, expires: now + ttl };
      this.cache.set(path, entry);
      return entry.body;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 304 || !cached) throw error;
      // Still the same object: kept for another of its TTLs.
      cached.expires = now + cached.ttl;
      return cached.body;
    }
  }

  /** A CloudFront invalidation: the paths (or `/*`) are dropped. */
  invalidate(paths: readonly string[]): void {
    if (paths.includes('/*')) this.cache.clear();
    for (const path of paths) this.cache.delete(path);
  }
}
