// Security checks that are about the whole project rather than one module. (Writes refused without
// an approver: status-site/approval-route.test.ts; artifact path traversal: status-site/app.test.ts
// and artifact-reader.test.ts; script payloads in titles, errors and comments rendered inert:
// status-site/page.test.ts and approval-panel.test.ts.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startStatusServer } from '../../status-site/hosting/server.ts';
import { startLocalEndpoint } from '../lambda/local-endpoint.ts';
import { serveStatic } from './pipeline/static-server.ts';
import { embeddedServer } from '../store/embedded.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { REPO } from '../testing/fixture-project.ts';

const otherAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);

/** Whether a TCP connection to address:port is accepted. */
const reachable = (address: string, port: number) =>
  new Promise<boolean>((ok) => {
    const socket = connect({ host: address, port, timeout: 1_000 });
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
    socket.once('timeout', () => (socket.destroy(), ok(false)));
  });

describe('servers bind 127.0.0.1 by default', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-security-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const check = async (name: string, url: string) => {
    const { hostname, port } = new URL(url);
    assert.equal(hostname, '127.0.0.1', `${name} listens on ${hostname}`);
    assert.ok(await reachable('127.0.0.1', Number(port)), `${name} answers on 127.0.0.1`);
    for (const address of otherAddresses())
      assert.equal(await reachable(address, Number(port)), false, `${name} must not answer on ${address}`);
  };

  it('the status site, the local Lambda endpoint, the static sites and the embedded DynamoDB', async () => {
    const { store } = await openEmbeddedStore(join(dir, 'db'));
    const status = await startStatusServer({ store, artifactsDir: dir });
    const lambda = await startLocalEndpoint({
      functionName: 'uigate-executor',
      concurrency: 1,
      timeoutSeconds: 60,
      taskRoot: REPO,
    });
    const site = await serveStatic(dir);
    const dynalite = await embeddedServer(join(dir, 'db2'));
    try {
      await check('status site', status.url);
      await check('local Lambda endpoint', lambda.url);
      await check('static site', site.url);
      await check('embedded DynamoDB', dynalite.endpoint);
    } finally {
      await status.close();
      await lambda.close();
      await site.close();
      await dynalite.stop();
      await store.close();
    }
  });
});

describe('dependencies', () => {
  it('npm audit --omit=dev reports no high or critical advisory', async (t) => {
    const { stdout } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], {
      cwd: REPO,
      maxBuffer: 20 * 2 ** 20,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout || '{}') as {
      statusCode?: number;
      metadata?: { vulnerabilities?: Record<string, number> };
      vulnerabilities?: Record<string, { severity: string }>;
    };
    if (!report.metadata) {
      // Some registries (this machine's mirror among them) do not serve the advisories endpoint.
      t.skip(
        `the registry did not answer the audit (HTTP ${report.statusCode ?? 'error'}); run \`npm audit --omit=dev\` where it does`,
      );
      return;
    }
    const severe = Object.entries(report.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
      .map(([name, v]) => `${name} (${v.severity})`);
    assert.deepEqual(severe, []);
  });
});
