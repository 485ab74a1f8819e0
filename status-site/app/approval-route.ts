// The status site's one write: GET/POST /api/runs/:id/approval. A POST must come from the site's own
// page (same origin, JSON, the uigate header — a cross-site form can send none of them) and carry an
// identity (a local approver's bearer token; in AWS the IAM caller the function URL authenticated).
// Anything refused writes nothing.
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { decide, decideVisual, loadApproval } from '../../runner/gate/approvals.ts';
import { loadVisualReview, type ImageReader } from '../../runner/gate/visual-decisions.ts';
import { visualItems, type VisualItem } from '../../runner/gate/visual-review.ts';
import type { ArtifactReader } from '../artifacts/artifact-reader.ts';
import type { ApprovalOptions } from '../access/approvers.ts';
import { APPROVAL_HEADER } from '../access/request-header.ts';
import { RUN_ID_PATTERN, type RunMeta } from '../../runner/core/model.ts';
import type { ResultStore } from '../../runner/store/result-store.ts';
import { refuse } from '../access/http-error.ts';

const FINGERPRINT = z.string().regex(/^[0-9a-f]{24}$/, { error: 'a screenshot change is named by its fingerprint' });

const body = z.strictObject({
  /** Absent: only answers on screenshot changes, no vote on the release. */
  decision: z.enum(['approved', 'rejected'], { error: 'decision must be "approved" or "rejected"' }).optional(),
  comment: z
    .string({ error: 'comment is required: say why' })
    .max(2000, { error: 'comment is longer than 2000 characters' }),
  visual: z
    .strictObject({
      accept: z.union([z.literal('all'), z.array(FINGERPRINT).max(1000)]).optional(),
      reject: z.array(FINGERPRINT).max(1000).optional(),
    })
    .optional(),
  override: z.boolean().optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$|^unknown$/, { error: 'commit must be the hex id of the commit on the page' })
    .optional(),
});

/** Refuses a cross-site request, by the browser's own word (Origin, Sec-Fetch-Site) against the site's. */
function crossSite(c: Context): string | undefined {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = c.req.header('origin');
  if (origin && origin !== new URL(c.req.url).origin)
    return `cross-site request refused (Origin ${origin.slice(0, 100)})`;
  return undefined;
}

/** Reads a stored image by its artifact key (`<runId>/…`), for the approval side's fingerprints. */
function imagesOf(artifacts: ArtifactReader | undefined): ImageReader | undefined {
  if (!artifacts) return undefined;
  return async (key) => {
    const [runId, ...rest] = key.split('/');
    const artifact = await artifacts.get(runId!, rest.join('/'));
    if (!artifact) throw new Error(`no image ${key.slice(0, 200)}`);
    return Buffer.from(await new Response(artifact.body).arrayBuffer());
  };
}

/**
 * A finished run's screenshot changes as fingerprinted, kept for the page's polls: reading every
 * image again each time would cost the artifact store two reads a change, every few seconds.
 * Decisions never use this: they read the images again.
 */
const SHOWN = new Map<string, Promise<VisualItem[]>>();

/** The run's approval, with its screenshot changes when it reviews them and the images can be read. */
async function viewOf(store: ResultStore, run: RunMeta, images: ImageReader | undefined) {
  const view = await loadApproval(store, run.runId);
  if (!view.request?.visualReview || !images) return view;
  // A resumed run finishes again, with other units: its changes are read again.
  const key = `${run.runId}@${run.finishedAt ?? ''}`;
  let items = SHOWN.get(key);
  if (!items) {
    items = store.getUnits(run.runId).then((units) => visualItems(units, images));
    items.catch(() => SHOWN.delete(key));
    SHOWN.set(key, items);
    if (SHOWN.size > 20) SHOWN.delete(SHOWN.keys().next().value!);
  }
  // An unreadable image shows as the panel's error; deciding refuses it anyway.
  return { ...view, visual: await loadVisualReview(store, run, images, items).catch(() => undefined) };
}

export function approvalRoutes(
  app: Hono,
  store: ResultStore,
  options: ApprovalOptions | undefined,
  artifacts?: ArtifactReader,
): void {
  const images = imagesOf(artifacts);
  app.get('/api/runs/:id/approval', async (c) => {
    const runId = c.req.param('id');
    if (!RUN_ID_PATTERN.test(runId)) return refuse(400, 'malformed run id');
    const run = await store.getRun(runId);
    if (!run) return refuse(404, `no run ${runId}`);
    return c.json({
      ...(await viewOf(store, run, images)),
      approvals: options
        ? { approvers: options.settings.approvers.length, requiredApprovals: options.settings.requiredApprovals }
        : null,
    });
  });

  app.post('/api/runs/:id/approval', async (c) => {
    const cross = crossSite(c);
    if (cross) return refuse(403, cross);
    if (c.req.header(APPROVAL_HEADER) !== 'approval')
      return refuse(
        403,
        `missing ${APPROVAL_HEADER}: approval header; decide from the status page or \`uigate approve\``,
      );
    if (!/^application\/json\b/.test(c.req.header('content-type') ?? ''))
      return refuse(415, 'send the decision as application/json');
    const approver = options ? await options.authenticate(c) : undefined;
    if (!approver) {
      c.header('www-authenticate', 'Bearer realm="uigate approvals"');
      return refuse(401, 'an approver token is required: `npx uigate approver token` prints yours');
    }
    const runId = c.req.param('id');
    if (!RUN_ID_PATTERN.test(runId)) return refuse(400, 'malformed run id');
    const parsed = body.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return refuse(400, parsed.error.issues[0]!.message);
    const { decision, visual, ...rest } = parsed.data;
    if (!decision && !visual) return refuse(400, 'decision must be "approved" or "rejected"');
    const who = { runId, approver, ...(options!.person ? { person: options!.person(approver) } : {}), ...rest };
    const deps = {
      store,
      settings: options!.settings,
      pipeline: options!.pipeline,
      notifier: options!.notifier,
      link: options!.link,
      images,
    };
    const result = await (
      decision ? decide({ ...who, decision, visual }, deps) : decideVisual({ ...who, visual: visual! }, deps)
    ).catch((error: Error) => {
      console.error(`status site: approval of ${runId}: ${error.message}`);
      return refuse(502, 'the vote is recorded but the pipeline did not take it; see the run timeline');
    });
    if (!result.ok) return refuse(result.status, result.reason);
    return c.json({ approver, duplicate: result.duplicate, ...result.view });
  });
}
