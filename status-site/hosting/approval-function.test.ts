// The approval function in AWS: a function URL with AWS_IAM auth in front of the status app. Here a
// small stand-in plays the function URL — it checks the SigV4 signature as AWS does (with the one
// key pair it knows) and hands the caller's ARN to the real handler in the event, as AWS does.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handle } from 'hono/aws-lambda';
import { openRequest } from '../../runner/gate/approvals.ts';
import { Sha256 } from '../../runner/aws/sha256.ts';
import { resolveConfig } from '../../runner/config/config.ts';
import { runNode, UIGATE_BIN } from '../../runner/testing/fixture-project.ts';
import { lambdaApp } from './lambda.ts';
import { seededStore, seedRun, type SeededStore } from '../testing/seed.ts';
import { checkRequests } from '../../runner/testing/botocore-model.ts';

const KEYS = {
  AKIDMANAGER0000000001:
    'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReleaseManager_0123456789abcdef/ana@example.com',
  AKIDDEVELOPER00000001: 'arn:aws:sts::123456789012:assumed-role/Developer/dev@example.com',
} as const;
const SECRET = 'test-secret-key';
const APPROVERS = ['arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReleaseManager_*/*'];

async function signatureOk(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<string | undefined> {
  const match = /Credential=([A-Z0-9]+)\//.exec(headers.authorization ?? '');
  const keyId = match?.[1] as keyof typeof KEYS | undefined;
  if (!keyId || !KEYS[keyId] || !headers['x-amz-date']) return undefined;
  const signer = new SignatureV4({
    service: 'lambda',
    region: 'eu-west-1',
    credentials: { accessKeyId: keyId, secretAccessKey: SECRET },
    sha256: Sha256,
  });
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(headers.authorization!)![1]!.split(';');
  const request = {
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: Object.fromEntries(signedHeaders.map((name) => [name, headers[name]!])),
    body,
  };
  const stamp = headers['x-amz-date']!;
  const signingDate = new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
  );
  const again = await signer.sign(request, { signingDate });
  return again.headers.authorization === headers.authorization ? KEYS[keyId] : undefined;
}

const SESSION_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:uigate-sessions-AbCdEf';

/** A function URL request to the status function (behind CloudFront), cookies as AWS passes them. */
function statusEvent(path: string, options: { cookies?: string[]; post?: unknown } = {}) {
  const method = options.post === undefined ? 'GET' : 'POST';
  const headers = {
    host: 'status.example.com',
    ...(method === 'POST'
      ? {
          'content-type': 'application/json',
          'x-uigate-request': 'session',
          'x-amz-content-sha256': createHash('sha256').update(JSON.stringify(options.post)).digest('hex'),
        }
      : {}),
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    cookies: options.cookies,
    isBase64Encoded: false,
    ...(method === 'POST' ? { body: JSON.stringify(options.post) } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 's',
      domainName: 'status.example.com',
      domainPrefix: 's',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'browser' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}

describe('uigate approve against the approval function (AWS_IAM function URL)', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(checkRequests(secrets, 'secretsmanager'));
  let statusEnv: Record<string, string>;
  let approvalEnv: Record<string, string>;
  let seed: SeededStore;
  let server: Server;
  let url: string;
  let runId: string;

  before(async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SESSION_SECRET_ARN }).resolves({ SecretString: 'k'.repeat(64) });
    seed = await seededStore();
    const { endpoint, key } = JSON.parse(await readFile(join(seed.dir, 'dynamodb', 'server.json'), 'utf8')) as {
      endpoint: string;
      key: object;
    };
    const env = {
      UIGATE_TABLE: 'uigate',
      AWS_REGION: 'eu-west-1',
      UIGATE_DYNAMODB_ENDPOINT: endpoint,
      UIGATE_DYNAMODB_KEY: JSON.stringify(key),
      UIGATE_APPROVALS: 'on',
      UIGATE_SITE_ASSETS: seed.dir,
      UIGATE_CONFIG: JSON.stringify({
        approval: { approvers: APPROVERS },
        notify: { statusUrl: 'https://status.example.com' },
      }),
      UIGATE_SESSION_SECRET_ARN: SESSION_SECRET_ARN,
    };
    statusEnv = { ...env, UIGATE_APPROVALS: '' };
    approvalEnv = env;
    const app = lambdaApp(env);
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      const target = new URL(req.url!, `http://${req.headers.host}`);
      const headers = req.headers as Record<string, string>;
      const caller = await signatureOk(req.method!, target, headers, body);
      if (!caller) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: 'Forbidden' }));
        return;
      }
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: target.pathname,
        rawQueryString: '',
        headers,
        body,
        isBase64Encoded: false,
        requestContext: {
          accountId: '123456789012',
          apiId: 'x',
          domainName: target.host,
          domainPrefix: 'x',
          http: {
            method: req.method!,
            path: target.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'uigate',
          },
          requestId: 'r',
          routeKey: '$default',
          stage: '$default',
          time: '',
          timeEpoch: 0,
          authorizer: { iam: { userArn: caller } },
        },
      };
      const answer = (await handle(app)(event as never, {} as never)) as {
        statusCode: number;
        body: string;
        headers: Record<string, string>;
      };
      res
        .writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] ?? 'application/json' })
        .end(answer.body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    runId = await seedRun(seed, [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }]);
    const settings = resolveConfig({ approval: { approvers: APPROVERS } }, seed.dir, {}).approval;
    await openRequest({
      store: seed.store,
      run: (await seed.store.getRun(runId))!,
      gate: { passed: true, rules: [] },
      settings,
      actor: 'test',
    });
    await writeFile(
      join(seed.dir, 'uigate.config.ts'),
      `export default { store: { type: 'dynamodb', region: 'eu-west-1' }, approval: { approvers: [], url: '${url}' } };\n`,
    );
  });
  after(async () => {
    secrets.restore();
    server?.close();
    await seed?.remove();
  });

  const approve = (keyId: string, secret = SECRET) =>
    runNode([UIGATE_BIN, 'approve', '--run', runId, '--comment', 'release notes checked'], seed.dir, {
      AWS_ACCESS_KEY_ID: keyId,
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_REGION: 'eu-west-1',
      UIGATE_HOME: seed.dir,
    });

  it('refuses a bad signature at the door, and a role that is not on the list', async () => {
    const forged = await approve('AKIDMANAGER0000000001', 'wrong-secret');
    assert.equal(forged.code, 2, forged.stderr);
    assert.match(forged.stderr, /approval refused: HTTP 403 \(is your role allowed lambda:InvokeFunctionUrl/);
    const developer = await approve('AKIDDEVELOPER00000001');
    assert.equal(developer.code, 2);
    assert.match(
      developer.stderr,
      /approval refused: arn:aws:sts::123456789012:assumed-role\/Developer\/dev@example.com is not an allowed approver/,
    );
    assert.equal((await seed.store.listEvents(runId)).filter((e) => e.type === 'approval-vote').length, 0);
  });

  it("records the decision under the caller's IAM identity", async () => {
    const result = await approve('AKIDMANAGER0000000001');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /recorded: arn:aws:sts::123456789012:assumed-role\/AWSReservedSSO_ReleaseManager_0123456789abcdef\/ana@example.com approved run .*; request approved/,
    );
    const [vote] = (await seed.store.listEvents(runId)).filter((e) => e.type === 'approval-vote');
    assert.equal(vote!.actor, KEYS.AKIDMANAGER0000000001);
  });

  it('hands an IAM caller a sign-in link; following it opens the status function, which is closed without one', async () => {
    const opened = await runNode([UIGATE_BIN, 'open', '--run', runId], seed.dir, {
      AWS_ACCESS_KEY_ID: 'AKIDDEVELOPER00000001',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_REGION: 'eu-west-1',
      UIGATE_HOME: seed.dir,
    });
    assert.equal(opened.code, 0, opened.stderr);
    assert.match(
      opened.stderr,
      /sign-in link for arn:aws:sts::123456789012:assumed-role\/Developer\/dev@example.com: open it within 5 minutes/,
    );
    const link = new URL(opened.stdout.trim());
    assert.equal(`${link.origin}${link.pathname}${link.search}`, 'https://status.example.com/');
    const fragment = new URLSearchParams(link.hash.slice(1));
    assert.equal(fragment.get('next'), `/runs/${runId}`);

    type Answer = { statusCode: number; body: string; headers: Record<string, string>; cookies?: string[] };
    const status = (event: ReturnType<typeof statusEvent>) =>
      handle(lambdaApp(statusEnv))(event as never, {} as never) as Promise<Answer>;
    assert.equal((await status(statusEvent(`/api/runs/${runId}`))).statusCode, 401, 'closed without a session');
    // What the page does with the fragment (status-site/page/sign-in.ts).
    const signIn = await status(statusEvent('/api/auth', { post: { token: fragment.get('signin') } }));
    assert.equal(signIn.statusCode, 200, signIn.body);
    const cookie = signIn.cookies?.[0]?.split(';')[0];
    assert.match(cookie ?? '', /^uigate_session=v1\./);
    const read = await status(statusEvent(`/api/runs/${runId}`, { cookies: [cookie!] }));
    assert.equal(read.statusCode, 200);
    assert.equal(JSON.parse(read.body).run.runId, runId);
  });

  it('refuses a sign-in link to a forged signature', async () => {
    const forged = await runNode([UIGATE_BIN, 'open'], seed.dir, {
      AWS_ACCESS_KEY_ID: 'AKIDDEVELOPER00000001',
      AWS_SECRET_ACCESS_KEY: 'wrong',
      AWS_REGION: 'eu-west-1',
      UIGATE_HOME: seed.dir,
    });
    assert.equal(forged.code, 2);
    assert.match(forged.stderr, /sign-in refused: HTTP 403 \(is your role allowed lambda:InvokeFunctionUrl/);
    assert.equal(forged.stdout, '');
  });

  it('answers reads only to a signed caller on approval.readers, or an approver', async () => {
    const app = lambdaApp({
      ...approvalEnv,
      UIGATE_CONFIG: JSON.stringify({
        approval: { approvers: APPROVERS, readers: ['arn:aws:iam::123456789012:user/auditor'] },
        notify: { statusUrl: 'https://status.example.com' },
      }),
    });
    const read = async (caller?: string) => {
      const event = statusEvent(`/api/runs/${runId}`);
      if (caller) Object.assign(event.requestContext, { authorizer: { iam: { userArn: caller } } });
      return ((await handle(app)(event as never, {} as never)) as { statusCode: number }).statusCode;
    };
    assert.equal(await read(), 401, 'unsigned (a service principal, or no caller at all)');
    assert.equal(await read(KEYS.AKIDDEVELOPER00000001), 403, 'signed, but not a reader');
    assert.equal(await read('arn:aws:iam::123456789012:user/auditor'), 200);
    assert.equal(await read(KEYS.AKIDMANAGER0000000001), 200, 'an approver reads what they decide on');
  });
});
