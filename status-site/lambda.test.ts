import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { handle } from 'hono/aws-lambda';
import { lambdaApp } from './lambda.ts';
import { seededStore, seedRun, type SeededStore } from './testing/seed.ts';

/** A Lambda function URL request (payload format 2.0), as AWS sends it. */
function functionUrlEvent(method: string, path: string, query = '') {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', accept: 'application/json' },
    requestContext: {
      accountId: '123456789012', apiId: 'abc', domainName: 'abc.lambda-url.eu-west-1.on.aws', domainPrefix: 'abc',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: 'r1', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

describe('the status site as a Lambda function-URL handler', () => {
  let seed: SeededStore;
  let assets: string;
  let runId: string;
  let endpoint: string;

  before(async () => {
    seed = await seededStore();
    runId = await seedRun(seed, [{ file: 'a.spec.ts', title: 'works', status: 'passed' }]);
    endpoint = JSON.parse(await readFile(join(seed.dir, 'dynamodb', 'server.json'), 'utf8')).endpoint;
    assets = await mkdtemp(join(tmpdir(), 'uigate-assets-'));
    await writeFile(join(assets, 'index.html'), '<!doctype html><title>uigate</title>');
    await writeFile(join(assets, 'app.js'), 'console.log(1)');
    await writeFile(join(assets, 'app.css'), 'body{}');
  });
  after(async () => {
    await seed.remove();
    await rm(assets, { recursive: true, force: true });
  });

  const invoke = (event: ReturnType<typeof functionUrlEvent>) => {
    const app = lambdaApp({ UIGATE_TABLE: 'uigate', AWS_REGION: 'us-east-1', UIGATE_DYNAMODB_ENDPOINT: endpoint, UIGATE_SITE_ASSETS: assets });
    return handle(app)(event as never, {} as never) as Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
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
    const bad = await invoke(functionUrlEvent('GET', '/api/runs', 'cursor=bogus'));
    assert.equal(bad.statusCode, 400);
  });

  it('refuses to start without a table name', () => {
    assert.throws(() => lambdaApp({}), /UIGATE_TABLE is not set/);
  });
});
