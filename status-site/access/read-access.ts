// Read access to the status site in AWS (see session.ts). The status function answers the API and
// artifacts only with a session cookie, which `POST /api/auth` sets from a sign-in link's token; the
// approval function, which knows the IAM caller, hands out those links (`POST /api/session`) as
// `https://<status>/#signin=<token>&next=<path>`, and the page makes the post.
// Under Node (`uigate serve`, 127.0.0.1) there is none of this: the machine is the boundary.
import { createHash } from 'node:crypto';
import type { Context, Hono, Next } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isListed } from '../../runner/gate/approval.ts';
import { APPROVAL_HEADER } from './request-header.ts';
import { safeNext } from '../shared/safe-next.ts';
import { LINK_SECONDS, mintToken, REPORT_SECONDS, SESSION_COOKIE, SESSION_SECONDS, verifyToken } from './session.ts';
import { refuse } from './http-error.ts';

export interface ReadAccess {
  /** The signing secret (Secrets Manager in AWS), read once. */
  secret(): Promise<string>;
}

export const SIGN_IN =
  'sign in first: `npx uigate open` prints a sign-in link (for an AWS identity allowed to call approval.url)';

/** Requires a session of every API and artifact request on the status function; `POST /api/auth` makes one. */
export function requireSession(app: Hono, access: ReadAccess | undefined): void {
  if (!access) return;
  // The link's token arrives from the page, which read it from the URL's fragment: a fragment is
  // never sent to a server, so the token stays out of CloudFront's logs, Referer headers and proxies.
  app.post('/api/auth', async (c) => {
    if (c.req.header(APPROVAL_HEADER) !== 'session')
      return refuse(403, `missing ${APPROVAL_HEADER}: session header; sign in through the page`);
    const text = await c.req.text();
    // What CloudFront's origin access control needs to reach the function URL at all (page/json-body.ts);
    // held here too, so a page that stops sending it fails under `uigate serve`, not first in AWS.
    if (c.req.header('x-amz-content-sha256') !== sha256Hex(text))
      return refuse(400, "the sign-in post must carry its body's SHA-256 in x-amz-content-sha256");
    const secret = await access.secret();
    const body = (() => {
      try {
        return JSON.parse(text) as { token?: unknown };
      } catch {
        return {};
      }
    })();
    const who = verifyToken(secret, typeof body.token === 'string' ? body.token : undefined, 'link');
    if (!who)
      return refuse(
        401,
        `this sign-in link is not valid or has expired (links last ${LINK_SECONDS / 60} minutes): run \`npx uigate open\` again`,
      );
    // HttpOnly: no script of ours (or injected) reads it; Lax: sent when following a link, not on cross-site posts.
    setCookie(c, SESSION_COOKIE, mintToken(secret, who, 'session'), {
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: SESSION_SECONDS,
    });
    return c.json({ reader: who });
  });
  const guard = async (c: Context, next: Next) => {
    if (c.req.path === '/api/auth') return next();
    if (!verifyToken(await access.secret(), getCookie(c, SESSION_COOKIE), 'session')) return refuse(401, SIGN_IN);
    return next();
  };
  app.use('/api/*', guard);
  app.use('/artifacts/*', guard);
  app.use('/reports/*', reportGuard(access));
}

/** `/reports/<run>/~<token>/<file>`: a report file reached by its capability URL. */
export const REPORT_CAPABILITY = /^\/reports\/([^/]+)\/~([^/]+)\//;

/**
 * Playwright's report is sandboxed (an opaque origin: policies.ts), so what it loads — screenshots,
 * traces, videos — is a cross-site request that carries no SameSite cookie and would answer 401.
 * A reader with a session who opens `/reports/<run>/` is sent to a capability URL for that run
 * (`/reports/<run>/~<token>/`, valid ${REPORT_SECONDS / 3600} hours); the report's relative URLs
 * keep the token, and it opens that one run's report and nothing else. No Referer leaves with it.
 */
function reportGuard(access: ReadAccess) {
  return async (c: Context, next: Next) => {
    const secret = await access.secret();
    c.header('referrer-policy', 'no-referrer');
    const capability = REPORT_CAPABILITY.exec(c.req.path);
    if (capability) {
      if (verifyToken(secret, capability[2], 'report') === decodeURIComponent(capability[1]!)) return next();
      return refuse(
        401,
        `this report link has expired or is not for this run (links last ${REPORT_SECONDS / 3600} hours): open the report again from its run page`,
      );
    }
    if (!verifyToken(secret, getCookie(c, SESSION_COOKIE), 'session')) return refuse(401, SIGN_IN);
    const entry = /^\/reports\/([^/]+)\/?(index\.html)?$/.exec(c.req.path);
    if (!entry) return next();
    c.header('cache-control', 'no-store');
    return c.redirect(`/reports/${entry[1]}/~${mintToken(secret, decodeURIComponent(entry[1]!), 'report')}/`, 302);
  };
}

export interface SignInOptions extends ReadAccess {
  /** The IAM caller, as the approval function URL verified it. */
  authenticate(c: Context): Promise<string | undefined>;
  /** IAM ARN patterns that may read; empty: whoever IAM lets call the approval URL. */
  readers: readonly string[];
  /** The status site's address (notify.statusUrl), where the link points. */
  statusUrl: string | undefined;
}

/** Hands the IAM caller a sign-in link, on the approval function. */
export function signInRoute(app: Hono, options: SignInOptions | undefined): void {
  app.post('/api/session', async (c) => {
    if (!options?.statusUrl)
      return refuse(
        404,
        'this function hands out no sign-in links: notify.statusUrl (UIGATE_STATUS_URL) and the session secret are not set',
      );
    if (c.req.header(APPROVAL_HEADER) !== 'session')
      return refuse(403, `missing ${APPROVAL_HEADER}: session header; ask with \`uigate open\``);
    const who = await options.authenticate(c);
    if (!who) return refuse(401, 'only a signed (IAM) request gets a sign-in link');
    if (options.readers.length && !isListed(who, options.readers))
      return refuse(403, `${who} is not on approval.readers`);
    const body = (await c.req.json().catch(() => ({}))) as { next?: unknown };
    const next = safeNext(typeof body.next === 'string' ? body.next : undefined);
    const token = mintToken(await options.secret(), who, 'link');
    const url = new URL('/', options.statusUrl);
    url.hash = new URLSearchParams({ signin: token, next }).toString();
    return c.json({ url: url.toString(), reader: who, expiresInSeconds: LINK_SECONDS });
  });
}

export interface IamReaders {
  /** The IAM caller, as the approval function URL verified it. */
  authenticate(c: Context): Promise<string | undefined>;
  /** IAM ARN patterns that may read; empty: whoever IAM lets call the approval URL. */
  readers: readonly string[];
  /** Approvers read what they decide on, listed as readers or not. */
  approvers: readonly string[];
}

/**
 * Requires, on the approval function, a reader: its URL answers the same read routes as the status function, so
 * every read there needs what a sign-in link needs — a verified IAM caller on approval.readers
 * (or an approver). Decisions and sign-in check their caller themselves.
 */
export function requireIamReader(app: Hono, access: IamReaders | undefined): void {
  if (!access) return;
  const guard = async (c: Context, next: Next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const who = await access.authenticate(c);
    if (!who) return refuse(401, 'only a signed (IAM) request reads through the approval function');
    if (access.readers.length && !isListed(who, access.readers) && !isListed(who, access.approvers))
      return refuse(403, `${who} is not on approval.readers`);
    return next();
  };
  app.use('/api/*', guard);
  app.use('/artifacts/*', guard);
  app.use('/reports/*', guard);
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
