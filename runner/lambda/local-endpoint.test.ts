// The local Invoke endpoint's door: what a web page or a malformed request gets. (What it does with
// a good invocation — throttling, timeouts, crashes — is runner/executors/lambda.test.ts.)
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { REPO } from '../testing/fixture-project.ts';
import { rawRequest } from '../testing/raw-request.ts';
import { startLocalEndpoint, type LocalEndpoint } from './local-endpoint.ts';

const NOOP = fileURLToPath(new URL('../testing/noop-handler.ts', import.meta.url));

const raw = (url: string, path: string, headers: Record<string, string>, body = '{}') =>
  rawRequest(url, { path, headers, body });

describe('the local Lambda endpoint refuses what Lambda would not get', () => {
  let endpoint: LocalEndpoint;
  let host: string;
  const invocations = '/2015-03-31/functions/uigate-executor/invocations';

  before(async () => {
    endpoint = await startLocalEndpoint({
      functionName: 'uigate-executor',
      concurrency: 2,
      timeoutSeconds: 30,
      taskRoot: REPO,
      handlerModule: NOOP,
    });
    host = new URL(endpoint.url).host;
  });
  after(() => endpoint.close());

  it('refuses a cross-origin text/plain POST (no preflight needed) and a rebinding Host, running nothing', async () => {
    const event = JSON.stringify({ units: [1] });
    const answers = await Promise.all([
      raw(endpoint.url, invocations, { host, origin: 'https://evil.example', 'content-type': 'text/plain' }, event),
      raw(endpoint.url, invocations, { host: `evil.example:${new URL(endpoint.url).port}` }, event),
      raw(endpoint.url, invocations, { host, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, event),
    ]);
    for (const answer of answers) {
      assert.equal(answer.status, 403, answer.body);
      assert.equal(answer.headers['x-amzn-errortype'], 'AccessDeniedException');
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
    }
    assert.equal(endpoint.stats.invocations, 0);
  });

  it('answers a malformed function name with 400 and keeps answering', async () => {
    const bad = await raw(endpoint.url, '/2015-03-31/functions/%E0%A4%A/invocations', { host });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-amzn-errortype'], 'InvalidParameterValueException');
    const lambda = new LambdaClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      const answer = await lambda.send(
        new InvokeCommand({ FunctionName: 'uigate-executor', Payload: Buffer.from('{"units":[]}') }),
      );
      assert.equal(answer.StatusCode, 200);
      assert.equal(answer.FunctionError, undefined);
    } finally {
      lambda.destroy();
    }
  });
});
