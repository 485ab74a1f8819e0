import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { handle } from 'hono/aws-lambda';
import { s3Client } from '../../runner/artifacts/s3-artifacts.ts';
import { localS3, type LocalS3 } from '../../runner/testing/s3.ts';
import { writeSite } from './build.ts';
import { lambdaApp } from './lambda.ts';
import { PNG, seededStore, seedRun, type SeededStore } from '../testing/seed.ts';

/** A Lambda function URL request (payload format 2.0), as AWS sends it. */
function functionUrlEvent(method: string, path: string, query = '', headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', accept: 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

/** A function URL's largest response payload. */
const LIMIT = 6 * 1024 * 1024;

describe('the status site as a Lambda function-URL handler', () => {
  let seed: SeededStore;
  let assets: string;
  let runId: string;
  let endpoint: string;
  let key: object;
  let s3: LocalS3;

  before(async () => {
    s3 = await localS3();
    seed = await seededStore();
    runId = await seedRun(seed, [{ file: 'a.spec.ts', title: 'works', status: 'passed' }]);
    ({ endpoint, key } = JSON.parse(await readFile(join(seed.dir, 'dynamodb', 'server.json'), 'utf8')));
    assets = await mkdtemp(join(tmpdir(), 'uigate-assets-'));
    // As npm run build writes it (and the Lambda package carries it).
    await writeSite(assets);
    const client = s3Client({ endpoint: s3.endpoint });
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `${runId}/unit/1-screenshot.png`,
        Body: PNG,
        ContentType: 'image/png',
      }),
    );
    client.destroy();
  });
  after(async () => {
    await seed.remove();
    await s3.close();
    await rm(assets, { recursive: true, force: true });
  });

  const invoke = (event: ReturnType<typeof functionUrlEvent>) => {
    const env = {
      UIGATE_TABLE: 'uigate',
      AWS_REGION: 'us-east-1',
      UIGATE_DYNAMODB_ENDPOINT: endpoint,
      UIGATE_DYNAMODB_KEY: JSON.stringify(key),
      UIGATE_SITE_ASSETS: assets,
      UIGATE_ARTIFACTS_BUCKET: s3.bucket,
      UIGATE_S3_ENDPOINT: s3.endpoint,
    };
    return handle(lambdaApp(env))(event as never, {} as never) as Promise<{
      statusCode: number;
      body: string;
      headers: Record<string, string>;
      isBase64Encoded: boolean;
    }>;
  };

  it('answers the API from the same handler as uigate serve', async () => {
    const response = await invoke(functionUrlEvent('GET', `/api/runs/${runId}`));
    assert.equal(response.statusCode, 200);
    assert.equal(JSON.parse(response.body).run.runId, runId);
    assert.match(response.headers['content-security-policy'] ?? '', /default-src 'none'/);
  });

  it('serves the built page for a run URL and JSON errors for bad input', async () => {
    const page = await invoke(functionUrlEvent('GET', `/runs/${runId}`));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>uigate<\/title>/);
    // Everything the page asks for, and the trace viewer it links to.
    for (const path of [...page.body.matchAll(/(?:src|href)="(\/[^"]+)"/g)]
      .map((m) => m[1]!)
      .concat('/trace/index.html', '/trace/sw.bundle.js')) {
      assert.equal((await invoke(functionUrlEvent('GET', path))).statusCode, 200, path);
    }
    const bad = await invoke(functionUrlEvent('GET', '/api/runs', 'cursor=bogus'));
    assert.equal(bad.statusCode, 400);
  });

  it('serves a screenshot that a Lambda or CodeBuild batch put in the artifacts bucket', async () => {
    const response = await invoke(functionUrlEvent('GET', `/artifacts/${runId}/unit/1-screenshot.png`));
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/png');
    assert.equal(response.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(response.body, 'base64'), PNG);
    assert.equal((await invoke(functionUrlEvent('GET', `/artifacts/${runId}/unit/nope.png`))).statusCode, 404);
  });

  it('fits a run bigger than a function URL may answer (6 MB) into one response, gzipped', async () => {
    // Failures with Playwright's call logs: about 16 KB of JSON each.
    const callLog = (i: number) =>
      Array.from(
        { length: 100 },
        (_, n) => `  - waiting for getByRole('button', { name: 'Save ${i}' }) · attempt ${n + 1}, ${(n + 1) * 100} ms`,
      ).join('\n');
    const units = Array.from({ length: 400 }, (_, i) => ({
      file: `m${i % 20}.spec.ts`,
      title: `saves ${i}`,
      status: 'failed' as const,
      error: `expect(locator).toBeVisible() failed\n\nCall log:\n${callLog(i)}`,
    }));
    const big = await seedRun(seed, units);
    const plain = await invoke(functionUrlEvent('GET', `/api/runs/${big}`));
    assert.ok(Buffer.byteLength(plain.body) > LIMIT, `the plain answer is ${Buffer.byteLength(plain.body)} bytes`);
    const zipped = await invoke(
      functionUrlEvent('GET', `/api/runs/${big}`, '', { 'accept-encoding': 'gzip, deflate, br' }),
    );
    assert.equal(zipped.statusCode, 200);
    assert.equal(zipped.isBase64Encoded, true);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(
      Buffer.byteLength(zipped.body) < LIMIT / 4,
      `the gzipped answer is ${Buffer.byteLength(zipped.body)} bytes in base64`,
    );
    assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(zipped.body, 'base64')).toString()), JSON.parse(plain.body));
  });

  it('redirects a trace too large for a function URL to a presigned URL that serves it as a download', async () => {
    // A trace with screenshots is often tens of MB; in base64 this one alone would pass 6 MB.
    const trace = Buffer.alloc(5 * 1024 * 1024, 7);
    const client = s3Client({ endpoint: s3.endpoint });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${runId}/unit/1-trace.zip`, Body: trace }));
    client.destroy();
    const response = await invoke(functionUrlEvent('GET', `/artifacts/${runId}/unit/1-trace.zip`));
    assert.equal(response.statusCode, 302);
    assert.ok(Buffer.byteLength(JSON.stringify(response)) < LIMIT);
    assert.equal(response.headers['cache-control'], 'no-store');
    const location = new URL(response.headers.location!);
    assert.equal(location.origin, new URL(s3.endpoint).origin);
    assert.equal(location.searchParams.get('X-Amz-Expires'), '300');
    const direct = await fetch(location);
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get('content-type'), 'application/zip');
    assert.equal(direct.headers.get('content-disposition'), 'attachment; filename="1-trace.zip"');
    assert.deepEqual(Buffer.from(await direct.arrayBuffer()), trace);
    // Signed for five minutes (s3rver checks no SigV4 signature; S3 does).
    assert.match(location.searchParams.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
  });

  it('lets the page and the trace viewer follow that redirect: the bucket’s origin in their policies', async () => {
    const page = await invoke(functionUrlEvent('GET', `/runs/${runId}`));
    assert.match(page.headers['content-security-policy']!, new RegExp(`img-src [^;]*${new URL(s3.endpoint).origin}`));
    const viewer = await invoke(functionUrlEvent('GET', '/trace/index.html'));
    assert.match(
      viewer.headers['content-security-policy']!,
      new RegExp(`connect-src 'self' ${new URL(s3.endpoint).origin}`),
    );
    // Small artifacts still come through the function.
    const shot = await invoke(functionUrlEvent('GET', `/artifacts/${runId}/unit/1-screenshot.png`));
    assert.equal(shot.statusCode, 200);
  });

  it('refuses to start without a table name', () => {
    assert.throws(() => lambdaApp({}), /UIGATE_TABLE is not set/);
  });
});
