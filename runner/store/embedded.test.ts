// The embedded store's door (embedded-guard.ts): only requests signed with its key, from no browser,
// by a Host that names this machine. Each attack below is a real request to a real server.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListTablesCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient, openEmbeddedStore, type OpenedStore } from './open-store.ts';
import { newRunId } from '../core/model.ts';
import { rawRequest } from '../testing/raw-request.ts';
import { runMeta } from '../testing/run-meta.ts';

const raw = (endpoint: string, headers: Record<string, string>, method = 'POST', body = '{}') =>
  rawRequest(endpoint, { method, headers, body });

describe('the embedded store answers only uigate processes', () => {
  let dir: string;
  let opened: OpenedStore;
  const runId = newRunId();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-embedded-guard-'));
    opened = await openEmbeddedStore(join(dir, 'db'));
    await opened.store.createRun(runMeta(runId));
  });
  after(async () => {
    await opened.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a request signed with any other key, and writes nothing for it', async () => {
    const guessed = dynamoClient(opened.endpoint, 'us-east-1', {
      accessKeyId: 'uigate-embedded',
      secretAccessKey: 'guess',
    });
    const local = dynamoClient(opened.endpoint, 'us-east-1', { accessKeyId: 'local', secretAccessKey: 'local' });
    try {
      for (const client of [guessed, local]) {
        await assert.rejects(
          client.send(new PutItemCommand({ TableName: 'uigate', Item: { pk: { S: 'FORGED' }, sk: { S: 'x' } } })),
          { name: 'UnrecognizedClientException' },
        );
      }
      const owner = dynamoClient(opened.endpoint, 'us-east-1', opened.key);
      const { Items = [] } = await owner.send(new ScanCommand({ TableName: 'uigate' }));
      owner.destroy();
      assert.equal(Items.filter((item) => item.pk?.S === 'FORGED').length, 0);
    } finally {
      guessed.destroy();
      local.destroy();
    }
  });

  it('refuses web pages: a simple cross-origin POST, a preflight, and a rebinding Host, with no CORS header', async () => {
    const port = new URL(opened.endpoint!).port;
    const body = JSON.stringify({});
    const target = { 'x-amz-target': 'DynamoDB_20120810.ListTables' };
    const attempts = [
      raw(
        opened.endpoint!,
        { ...target, host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': 'text/plain' },
        'POST',
        body,
      ),
      raw(
        opened.endpoint!,
        { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        'OPTIONS',
        '',
      ),
      raw(
        opened.endpoint!,
        { ...target, host: `evil.example:${port}`, 'content-type': 'application/x-amz-json-1.0' },
        'POST',
        body,
      ),
      raw(
        opened.endpoint!,
        {
          ...target,
          host: `127.0.0.1:${port}`,
          'sec-fetch-site': 'cross-site',
          'content-type': 'application/x-amz-json-1.0',
        },
        'POST',
        body,
      ),
    ];
    for (const answer of await Promise.all(attempts)) {
      assert.equal(answer.status, 403, answer.body);
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      assert.match(answer.body, /AccessDeniedException/);
    }
  });

  it('keeps its key in a file only this user can read, and a second opener uses it', async () => {
    const file = join(dir, 'db', 'server.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    // The data folder too: results, approvals and votes are this user's alone.
    assert.equal((await stat(join(dir, 'db'))).mode & 0o777, 0o700);
    const { key } = JSON.parse(await readFile(file, 'utf8')) as { key: { secretAccessKey: string } };
    assert.ok(key.secretAccessKey.length >= 40);
    const second = await openEmbeddedStore(join(dir, 'db'));
    try {
      assert.equal(second.key?.secretAccessKey, key.secretAccessKey);
      assert.equal((await second.store.getRun(runId))?.runId, runId);
      const client = dynamoClient(second.endpoint, 'us-east-1', second.key);
      assert.deepEqual((await client.send(new ListTablesCommand({}))).TableNames, ['uigate']);
      client.destroy();
    } finally {
      await second.store.close();
    }
  });
});
