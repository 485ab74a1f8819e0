import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'hono';
import { createApp } from '../app/app.ts';
import { LocalArtifactReader } from '../artifacts/artifact-reader.ts';
import { mintToken, SESSION_COOKIE, verifyToken } from './session.ts';
import { seededStore, seedRun, type SeededStore } from '../testing/seed.ts';

const SECRET = 's'.repeat(64);
const ANA = 'arn:aws:sts::123456789012:assumed-role/ReleaseManager/ana@example.com';
const DEV = 'arn:aws:sts::123456789012:assumed-role/Developer/dev@example.com';

describe('reading the status site in AWS needs a session', () => {
  let seed: SeededStore;
  let runId: string;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    seed = await seededStore();
    runId = await seedRun(seed, [
      {
        file: 'cart.spec.ts',
        title: 'pays',
        status: 'failed',
        error: 'internal URL https://staging.internal/x',
        screenshot: true,
      },
    ]);
    app = createApp({
      store: seed.store,
      artifacts: new LocalArtifactReader(seed.artifactsDir),
      readAccess: { secret: async () => SECRET },
    });
  });
  after(() => seed.remove());

  const cookieOf = (response: Response) => /uigate_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];

  it('answers the API, artifacts and the Playwright report with 401 and how to sign in, and nothing of the results', async () => {
    const { units } = (await (await createApp({ store: seed.store }).request(`/api/runs/${runId}`)).json()) as {
      units: { attachments: { path: string }[] }[];
    };
    for (const path of [
      '/api/runs',
      `/api/runs/${runId}`,
      `/api/runs/${runId}/events`,
      `/api/runs/${runId}/approval`,
      `/artifacts/${units[0]!.attachments[0]!.path}`,
      `/reports/${runId}/index.html`,
    ]) {
      const response = await app.request(path);
      assert.equal(response.status, 401, path);
      const text = await response.text();
      assert.match(text, /sign in first: `npx uigate open` prints a sign-in link/);
      assert.doesNotMatch(text, /staging\.internal|pays/);
    }
  });

  const signIn = (token: string, header = 'session', hash?: string) => {
    const body = JSON.stringify({ token });
    return app.request('/api/auth', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-uigate-request': header,
        'x-amz-content-sha256': hash ?? createHash('sha256').update(body).digest('hex'),
      },
      body,
    });
  };

  it("refuses a sign-in post without its body's SHA-256, which CloudFront → Lambda needs", async () => {
    for (const hash of ['', 'UNSIGNED-PAYLOAD', createHash('sha256').update('{}').digest('hex')]) {
      const response = await signIn(mintToken(SECRET, ANA, 'link'), 'session', hash);
      assert.equal(response.status, 400, hash);
      assert.match(await response.text(), /x-amz-content-sha256/);
    }
  });

  it("turns a sign-in link's token into a session cookie (HttpOnly, Secure, SameSite=Lax)", async () => {
    const response = await signIn(mintToken(SECRET, ANA, 'link'));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { reader: ANA });
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /Secure/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Max-Age=43200/);
    const session = cookieOf(response)!;
    assert.equal(verifyToken(SECRET, session, 'session'), ANA);
    const runs = await app.request('/api/runs', { headers: { cookie: `${SESSION_COOKIE}=${session}` } });
    assert.equal(runs.status, 200);
    assert.equal(((await runs.json()) as { runs: { runId: string }[] }).runs[0]!.runId, runId);
  });

  it('refuses an expired or forged link, a session used as a link, a link used as a session, and a post without the uigate header', async () => {
    const old = mintToken(SECRET, ANA, 'link', new Date(Date.now() - 600_000));
    for (const token of [old, mintToken('x'.repeat(64), ANA, 'link'), mintToken(SECRET, ANA, 'session')]) {
      const response = await signIn(token);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('set-cookie'), null);
    }
    const asCookie = await app.request('/api/runs', {
      headers: { cookie: `${SESSION_COOKIE}=${mintToken(SECRET, ANA, 'link')}` },
    });
    assert.equal(asCookie.status, 401);
    // A cross-site form can set no custom header: no one can sign a victim in as themselves.
    const noHeader = await signIn(mintToken(SECRET, ANA, 'link'), 'approval');
    assert.equal(noHeader.status, 403);
    assert.equal(noHeader.headers.get('set-cookie'), null);
  });

  it("opens a run's Playwright report by a capability URL, so the sandboxed report's screenshots load without our cookie", async () => {
    const report = join(seed.artifactsDir, runId, 'report');
    await mkdir(join(report, 'data'), { recursive: true });
    await writeFile(join(report, 'index.html'), '<!doctype html><img src="data/shot.png">');
    await writeFile(join(report, 'data', 'shot.png'), 'png');
    const other = await seedRun(seed, [{ file: 'home.spec.ts', title: 'lists', status: 'passed' }]);
    const session = `${SESSION_COOKIE}=${mintToken(SECRET, ANA, 'session')}`;

    const opened = await app.request(`/reports/${runId}/`, { headers: { cookie: session } });
    assert.equal(opened.status, 302);
    assert.equal(opened.headers.get('cache-control'), 'no-store');
    const location = opened.headers.get('location')!;
    const token = new RegExp(`^/reports/${runId}/~([^/]+)/$`).exec(location)?.[1];
    assert.ok(token, location);
    assert.equal(verifyToken(SECRET, token, 'report'), runId, 'a token for this run only');

    // What the sandboxed report loads is cross-site from an opaque origin: no cookie goes with it.
    const index = await app.request(location);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy') ?? '', /^sandbox allow-scripts/);
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    const shot = await app.request(new URL('data/shot.png', `https://status.example${location}`).pathname);
    assert.equal(shot.status, 200);
    assert.equal(await shot.text(), 'png');

    for (const refused of [
      `/reports/${other}/~${token}/index.html`, // another run's report
      `/reports/${runId}/~${mintToken(SECRET, runId, 'report', new Date(Date.now() - 5 * 3600_000))}/index.html`,
      `/reports/${runId}/~${mintToken('x'.repeat(64), runId, 'report')}/index.html`,
      `/reports/${runId}/~${mintToken(SECRET, ANA, 'session')}/index.html`, // a session is not a capability
    ]) {
      const response = await app.request(refused);
      assert.equal(response.status, 401, refused);
      assert.match(
        await response.text(),
        /this report link has expired or is not for this run .* open the report again from its run page/,
      );
    }
    // The capability opens the report and nothing else of the site.
    assert.equal((await app.request(`/api/runs/${runId}`, { headers: { referer: location } })).status, 401);
  });

  it('leaves reads open where there is no session secret: uigate serve on 127.0.0.1', async () => {
    assert.equal((await createApp({ store: seed.store }).request('/api/runs')).status, 200);
  });
});

describe('sign-in links from the approval function', () => {
  let seed: SeededStore;
  before(async () => (seed = await seededStore()));
  after(() => seed.remove());

  /** The IAM caller as the function URL would give it; here from a test header. */
  const authenticate = async (c: Context) => c.req.header('x-test-caller');
  const appWith = (readers: string[]) =>
    createApp({
      store: seed.store,
      signIn: { secret: async () => SECRET, authenticate, readers, statusUrl: 'https://status.example.com' },
    });
  const ask = (app: ReturnType<typeof createApp>, caller?: string, header = 'session') =>
    app.request('/api/session', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-uigate-request': header,
        ...(caller ? { 'x-test-caller': caller } : {}),
      },
      body: JSON.stringify({ next: '/runs/x' }),
    });

  it('gives an IAM caller a link to the status site that signs them in there', async () => {
    const response = await ask(appWith([]), DEV);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { url: string; reader: string };
    assert.equal(body.reader, DEV);
    const url = new URL(body.url);
    assert.equal(
      url.origin + url.pathname + url.search,
      'https://status.example.com/',
      'the token rides in the fragment, which no server sees',
    );
    const fragment = new URLSearchParams(url.hash.slice(1));
    assert.equal(fragment.get('next'), '/runs/x');
    assert.equal(verifyToken(SECRET, fragment.get('signin')!, 'link'), DEV);
  });

  it('refuses an unsigned caller, one not on approval.readers, and a request without the uigate header', async () => {
    assert.equal((await ask(appWith([]))).status, 401);
    const notListed = await ask(appWith(['arn:aws:sts::123456789012:assumed-role/ReleaseManager/*']), DEV);
    assert.equal(notListed.status, 403);
    assert.match(((await notListed.json()) as { error: string }).error, /is not on approval\.readers/);
    assert.equal((await ask(appWith(['arn:aws:sts::123456789012:assumed-role/ReleaseManager/*']), ANA)).status, 200);
    assert.equal((await ask(appWith([]), ANA, 'approval')).status, 403);
  });
});
