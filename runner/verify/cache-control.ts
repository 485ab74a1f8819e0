// How long a site's files may be kept by CloudFront and browsers, and which URLs must be
// invalidated when another release goes live. A file whose name carries a content hash
// (`index-4f1b2c9a.js`, `main.3f9a1c2b8d.css`) never changes under that name, so it is kept a year;
// every other file (the entry documents: index.html, robots.txt, an unhashed image) is asked for
// again each time, so a promotion or a rollback is seen at once.
//
// CloudFront (CachePolicyConfig, API reference): with a minimum TTL of 0 it honours the origin's
// Cache-Control; `no-cache` makes it revalidate with the origin before each reuse, `max-age`
// keeps the object that long, clamped to the policy's maximum TTL.

/** For a file whose name is its content's hash: a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** For every other file: kept, but revalidated with the origin before each use. */
export const REVALIDATE = 'no-cache';

/**
 * A hash in the name: 8 or more letters, digits, `_` or `-` after a `.` or `-`, before the
 * extension, with at least one digit and one letter. A word (`-settings.js`) is never taken for a
 * hash: mistaking one would keep a changed file for a year, while missing a hash only costs a
 * revalidation.
 */
const HASHED = /[.-](?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{8,}\.[A-Za-z0-9]+(\.map)?$/;

export function isHashedAsset(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return !/\.html?$/i.test(name) && HASHED.test(name);
}

export function cacheControlOf(file: string): string {
  return isHashedAsset(file) ? IMMUTABLE : REVALIDATE;
}

/** More paths than this are invalidated as one `/*` (a wildcard counts as one path, AWS pricing). */
export const MAX_LISTED_PATHS = 30;

/**
 * The URLs whose answer may change when a release goes live, for a CloudFront invalidation: every
 * file of either release that is not hashed, and the folder URL of each index.html (`/` for the
 * default root object, which is cached under the URL asked for). CloudFront's invalidation paths
 * are URL-encoded and case-sensitive, and `*` is a wildcard only at the end ("What you need to know
 * when invalidating paths", CloudFront developer guide), so a literal `*` is encoded.
 */
export function entryPaths(files: Iterable<string>): string[] {
  const paths = new Set<string>();
  for (const file of files) {
    if (isHashedAsset(file)) continue;
    const url = `/${file.split('/').map(encodeSegment).join('/')}`;
    paths.add(url);
    if (/(^|\/)index\.html$/.test(file)) paths.add(url.slice(0, -'index.html'.length));
  }
  if (paths.size > MAX_LISTED_PATHS) return ['/*'];
  return [...paths].sort();
}

const encodeSegment = (segment: string) =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
