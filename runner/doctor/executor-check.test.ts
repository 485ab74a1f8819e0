import assert from 'node:assert/strict';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startLocalEndpoint, type LocalEndpoint } from '../lambda/local-endpoint.ts';
import { REPO } from '../testing/fixture-project.ts';
import { explainAwsError } from './check.ts';
import { executorChromiumCheck } from './executor-check.ts';

// Lambda's Invoke API on 127.0.0.1 running the real handler in child processes, with
// @sparticuz/chromium: the same probe the doctor sends to the deployed function.
describe('uigate doctor: the executor starts Chromium', () => {
  const endpoints: LocalEndpoint[] = [];
  const clients: LambdaClient[] = [];
  after(async () => {
    clients.forEach((client) => client.destroy());
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  });

  async function lambdaAt(handlerModule?: string) {
    const endpoint = await startLocalEndpoint({
      functionName: 'uigate-executor',
      concurrency: 1,
      timeoutSeconds: 120,
      taskRoot: REPO,
      handlerModule,
    });
    endpoints.push(endpoint);
    const client = new LambdaClient({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    clients.push(client);
    return client;
  }

  it('passes when the function opens a page, saying which Chromium', async () => {
    const outcome = await executorChromiumCheck(await lambdaAt(), 'uigate-executor').run();
    assert.equal(outcome.status, 'pass', outcome.detail);
    assert.match(outcome.detail, /^uigate-executor opened a page with Chromium \d+\.\d+\.\d+\.\d+/);
  });

  it('fails, saying to deploy, when the function does not know the probe', async () => {
    const old = await lambdaAt(join(REPO, 'runner', 'testing', 'noop-handler.ts'));
    const outcome = await executorChromiumCheck(old, 'uigate-executor').run();
    assert.equal(outcome.status, 'fail');
    assert.match(outcome.fix!, /deploy the function from this version of uigate/);
  });

  it('names a missing function as something to deploy', async () => {
    const client = await lambdaAt();
    const outcome = await executorChromiumCheck(client, 'uigate-nope').run().catch(explainAwsError);
    assert.equal(outcome.status, 'fail');
    assert.match(outcome.detail, /ResourceNotFound/);
    assert.match(outcome.fix!, /cdk deploy/);
  });
});
