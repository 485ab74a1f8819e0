import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { signedWith, type IncomingSigned } from './sigv4-check.ts';

const KEY = { accessKeyId: 'uigate-local', secretAccessKey: 'the-secret' };

/** A server that says whether each request it gets is signed with KEY. */
async function checking() {
  const seen: boolean[] = [];
  const requests: IncomingSigned[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
    requests.push(request);
    seen.push(await signedWith(request, KEY));
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end('{"__type":"x#Done","message":"done"}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    seen,
    requests,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

describe('checking a SigV4 signature', () => {
  it("accepts what the AWS SDK signs with the key, and refuses another key's signature or a changed body", async () => {
    const server = await checking();
    try {
      for (const credentials of [KEY, { accessKeyId: 'uigate-local', secretAccessKey: 'guessed' }]) {
        const client = new DynamoDBClient({
          endpoint: server.endpoint,
          region: 'us-east-1',
          credentials,
          maxAttempts: 1,
        });
        await client.send(new ListTablesCommand({})).catch(() => undefined);
        client.destroy();
      }
      assert.deepEqual(server.seen, [true, false]);
      const [good] = server.requests;
      assert.equal(
        await signedWith({ ...good!, body: Buffer.from('{"Limit":1}') }, KEY),
        false,
        'the body is signed too',
      );
      assert.equal(await signedWith({ ...good!, headers: { ...good!.headers, authorization: undefined } }, KEY), false);
      assert.equal(await signedWith(good!, KEY, Date.now() + 20 * 60_000), false, 'a stale signature is refused');
    } finally {
      await server.close();
    }
  });
});
