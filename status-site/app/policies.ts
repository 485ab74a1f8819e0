// The status site's Content-Security-Policies, one place for both servers: the Hono app (Node and
// the status function) sends them itself, and CloudFront adds them to what the bucket serves.

// `direct` names where artifacts too large for the status function are fetched from instead
// (presigned URLs to the artifacts bucket, status-site/hosting/lambda.ts): the page's pictures
// and the trace viewer's trace.zip follow a redirect there, and CSP checks the redirect's target.

/** The page's: its own script and stylesheet, nothing inline, nothing framed, nothing elsewhere. */
export const pagePolicy = (direct: readonly string[] = []) => ({
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', ...direct],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
});

/**
 * Playwright's trace viewer's (trace-viewer.ts): its own scripts only, as the page's. It needs
 * inline styles, blob: and data: images, a worker and its own frames — the DOM snapshots, which its
 * service worker serves with a nonce-only script policy of their own, the app's scripts stripped.
 */
export const traceViewerPolicy = (direct: readonly string[] = []) => ({
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", ...direct],
  workerSrc: ["'self'"],
  frameSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'self'"],
});

/**
 * Playwright's HTML report of a run (`/reports/<runId>/`): its app is inline script, and its
 * attachments are whatever the tests attached — an HTML attachment must never run as this site.
 * So every file of it is sandboxed: an opaque origin, no cookies of ours, no API of ours.
 */
export const REPORT_POLICY = {
  sandbox: ['allow-scripts', 'allow-popups', 'allow-downloads'],
  defaultSrc: ["'none'"],
  scriptSrc: ["'unsafe-inline'"],
  styleSrc: ["'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'data:', 'blob:'],
  frameSrc: ["'self'", 'blob:'],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** Writes a policy as its header value: `default-src 'none'; script-src 'self'; …`. */
export function policyHeader(policy: Record<string, string[]>): string {
  return Object.entries(policy)
    .map(([name, sources]) => `${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${sources.join(' ')}`)
    .join('; ');
}
