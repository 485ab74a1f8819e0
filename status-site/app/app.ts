// The status site's one HTTP handler: JSON API, the page, and a run's artifacts. The same app
// runs under Node (`uigate serve`) and in Lambda behind a function URL (lambda.ts).
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import { secureHeaders } from 'hono/secure-headers';
import { RUN_ID_PATTERN } from '../../runner/core/model.ts';
import type { ResultStore } from '../../runner/store/result-store.ts';
import type { Artifact, ArtifactReader } from '../artifacts/artifact-reader.ts';
import { approvalRoutes } from './approval-route.ts';
import type { ApprovalOptions } from '../access/approvers.ts';
import {
  requireIamReader,
  requireSession,
  signInRoute,
  type IamReaders,
  type ReadAccess,
  type SignInOptions,
} from '../access/read-access.ts';
import { changesSince } from '../../runner/report/changes.ts';
import { unitStats } from '../shared/flakiness.ts';
import { RunCache } from './run-cache.ts';
import { flakyRoute } from './flaky-route.ts';
import { releasesRoute, withReleases } from './releases-route.ts';
import { traceViewerRoutes } from './trace-viewer.ts';
import { pagePolicy, policyHeader, REPORT_POLICY } from './policies.ts';
import { withMemoryStorage } from './report-storage.ts';
import { contentTypeOf as fileTypeOf } from '../../runner/core/content-types.ts';
import { HttpError, refuse } from '../access/http-error.ts';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

export interface AppOptions {
  store: ResultStore;
  artifacts?: ArtifactReader;
  /** The built page; without it only the API is served. */
  page?: PageAssets | (() => Promise<PageAssets>);
  /** How long a running run's units may be served from memory (ms). Finished runs are kept. */
  liveCacheMs?: number;
  /** Approvals: who may decide and how they are identified. Without it every decision is refused (401). */
  approvals?: ApprovalOptions;
  /** In AWS: reads need a session (read-access.ts). Without it, reads are open (127.0.0.1 under Node). */
  readAccess?: ReadAccess;
  /** The approval function: hands IAM callers sign-in links. */
  signIn?: SignInOptions;
  /** The approval function: reads need an IAM caller on approval.readers (read-access.ts). */
  iamReaders?: IamReaders;
  /** The folder of Playwright's trace viewer, served under /trace/ (trace-viewer.ts). */
  traceViewer?: string;
  /**
   * Artifacts larger than this many bytes are not passed through but redirected to their source's
   * short-lived direct URL, from `directOrigins` (the status function: hosting/lambda.ts).
   * @default no limit
   */
  inlineLimit?: number;
  /** Origins the page and the trace viewer may fetch redirected artifacts from. @default none */
  directOrigins?: readonly string[];
}

const UNIT_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

function runIdOf(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!RUN_ID_PATTERN.test(id))
    throw new HttpError(400, `malformed run id "${id.slice(0, 80)}": run ids look like 20261122T185625123Z-k3f9`);
  return id;
}

function limitOf(c: Context, fallback: number, max: number): number {
  const raw = c.req.query('limit');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new HttpError(400, `limit must be a whole number from 1 to ${max}`);
  return n;
}

export function createApp(options: AppOptions): Hono {
  const { store } = options;
  const cache = new RunCache(store, { liveMs: options.liveCacheMs ?? 1_000, artifacts: options.artifacts });
  const app = new Hono();
  // Not overwriting: the trace viewer's files carry a policy of their own (trace-viewer.ts).
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: pagePolicy(options.directOrigins),
      referrerPolicy: 'no-referrer',
      crossOriginResourcePolicy: 'same-origin',
      overwrite: false,
    }),
  );
  app.use('/api/*', etag());
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-cache');
  });
  requireSession(app, options.readAccess);
  requireIamReader(app, options.iamReaders);
  runRoutes(app, store, cache);
  flakyRoute(app, store, cache);
  releasesRoute(app, store);
  approvalRoutes(app, store, options.approvals, options.artifacts);
  signInRoute(app, options.signIn);
  app.all('/api/*', (c) => refuse(404, `no such API route: ${c.req.method} ${c.req.path}`));
  artifactRoute(app, options.artifacts, options.inlineLimit);
  reportRoute(app, options.artifacts, options.inlineLimit);
  if (options.traceViewer) traceViewerRoutes(app, options.traceViewer, options.directOrigins);
  if (options.page) pageRoutes(app, options.page);
  app.notFound((c) => c.text('not found', 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status);
    console.error(`status site: ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    // Say what failed, never how: a store error can carry endpoints and request details.
    return c.json({ error: 'internal error reading the result store' }, 500);
  });
  return app;
}

/** Serves the runs, one run with its units, its events and changes, and a unit's history. */
function runRoutes(app: Hono, store: ResultStore, cache: RunCache) {
  app.get('/api/runs', async (c) => {
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && !RUN_ID_PATTERN.test(cursor))
      throw new HttpError(400, 'malformed cursor: pass back the cursor of the previous page');
    const { items, cursor: next } = await store.listRuns({ limit: limitOf(c, 25, 100), cursor });
    return c.json({ runs: await withReleases(store, items), cursor: next ?? null });
  });
  app.get('/api/runs/:id', async (c) => {
    const entry = await cache.get(runIdOf(c));
    if (!entry) throw new HttpError(404, `no run ${c.req.param('id')}`);
    const { body, headers } = await entry.body.for(c.req.header('accept-encoding'));
    return c.body(body, 200, headers);
  });
  app.get('/api/runs/:id/events', async (c) => {
    const runId = runIdOf(c);
    if (!(await store.getRun(runId))) throw new HttpError(404, `no run ${runId}`);
    return c.json({ events: await store.listEvents(runId) });
  });
  app.get('/api/runs/:id/changes', async (c) => {
    const run = await store.getRun(runIdOf(c));
    if (!run) throw new HttpError(404, `no run ${c.req.param('id')}`);
    // Through the run cache: finished runs come from their snapshots.
    return c.json(await changesSince(store, run, await cache.units(run.runId), (runId) => cache.units(runId)));
  });
  app.get('/api/units/:key/history', async (c) => {
    const key = c.req.param('key');
    if (!UNIT_KEY_PATTERN.test(key)) throw new HttpError(400, `malformed unit key "${key.slice(0, 80)}"`);
    const history = await store.unitHistory(key, { limit: limitOf(c, 30, 200) });
    if (history.length === 0) throw new HttpError(404, `no history for unit ${key}`);
    return c.json({ key, history, stats: unitStats(history) });
  });
}

/**
 * Serves a run's screenshots and traces: pictures inline, anything else a download, never a page of ours.
 * One too large to pass through is a redirect to where the browser can fetch it itself.
 */
function artifactRoute(app: Hono, artifacts: ArtifactReader | undefined, inlineLimit = Infinity) {
  app.get('/artifacts/:id/*', async (c) => {
    const runId = runIdOf(c);
    const rest = decodeURIComponentSafe(c.req.path.slice(`/artifacts/${runId}/`.length));
    const artifact = rest === undefined ? undefined : await artifacts?.get(runId, rest);
    if (!artifact) return c.text('not found', 404);
    const filename = rest!
      .split('/')
      .pop()!
      .replace(/[^A-Za-z0-9._-]/g, '_');
    const disposition = artifact.contentType.startsWith('image/') ? 'inline' : `attachment; filename="${filename}"`;
    if (artifact.size > inlineLimit) return elsewhere(c, artifact, inlineLimit, disposition);
    return c.body(artifact.body, 200, {
      'content-type': artifact.contentType,
      'content-length': String(artifact.size),
      'content-disposition': disposition,
      'cache-control': 'private, max-age=3600',
    });
  });
}

/** Answers for an artifact too large to pass through: a redirect to where the browser can fetch it, else 413. */
async function elsewhere(c: Context, artifact: Artifact, inlineLimit: number, disposition: string) {
  await artifact.body.cancel();
  if (!artifact.directUrl)
    return c.text(`artifact is ${artifact.size} bytes, more than this server passes on (${inlineLimit})`, 413);
  // The URL is signed and expires: neither the browser nor CloudFront may keep the redirect.
  c.header('cache-control', 'no-store');
  return c.redirect(await artifact.directUrl(disposition), 302);
}

/** A report's content-addressed attachment: `data/` and a hex digest. */
export const isReportData = (path: string) => /^data\/[0-9a-f]{40,64}\.[a-z0-9]{1,10}$/.test(path);

/** Playwright's HTML report of a run, every file of it sandboxed (policies.ts, REPORT_POLICY). */
function reportRoute(app: Hono, artifacts: ArtifactReader | undefined, inlineLimit = Infinity) {
  const policy = policyHeader(REPORT_POLICY);
  app.get('/reports/:id', (c) => c.redirect(`/reports/${runIdOf(c)}/`, 301));
  app.get('/reports/:id/*', async (c) => {
    const runId = runIdOf(c);
    // The capability segment (access/read-access.ts) was checked before this route; it names no file.
    const decoded = decodeURIComponentSafe(c.req.path.slice(`/reports/${runId}/`.length).replace(/^~[^/]+\//, ''));
    const rest = decoded || 'index.html';
    const artifact = decoded === undefined ? undefined : await artifacts?.get(runId, `report/${rest}`);
    if (!artifact) return c.text('not found', 404);
    c.header('content-security-policy', policy);
    // The sandboxed report has an opaque origin: to it every file here is cross-origin, and a
    // same-origin resource policy would block its own screenshots (ERR_BLOCKED_BY_RESPONSE).
    c.header('cross-origin-resource-policy', 'cross-origin');
    // The report fetches its attachments (`data/<sha1>.<ext>`, error-context.md say) from its own
    // opaque origin, which the browser names "null": those, and only those, it may read. Their
    // names are their content's hash, so a page must already know an attachment to fetch it.
    if (isReportData(rest)) c.header('access-control-allow-origin', 'null');
    if (artifact.size > inlineLimit) return elsewhere(c, artifact, inlineLimit, 'attachment');
    const headers = { 'content-type': fileTypeOf(rest), 'cache-control': 'private, max-age=3600' };
    if (rest === 'index.html') {
      const page = withMemoryStorage(await new Response(artifact.body).text());
      return c.body(page, 200, headers);
    }
    return c.body(artifact.body, 200, { ...headers, 'content-length': String(artifact.size) });
  });
}

/** Serves the page: its shell at /, /runs/:id and /releases, its script and stylesheet, built once. */
function pageRoutes(app: Hono, source: NonNullable<AppOptions['page']>) {
  let assets: Promise<PageAssets> | undefined;
  const page = () => (assets ??= typeof source === 'function' ? source() : Promise.resolve(source));
  app.get('/assets/app.js', async (c) =>
    c.body((await page()).js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  app.get('/assets/app.css', async (c) =>
    c.body((await page()).css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  const html = async (c: Context) => c.html((await page()).html);
  app.get('/', html);
  app.get('/runs/:id', html);
  app.get('/releases', html);
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
