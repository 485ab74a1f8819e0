import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configuredEndpoint } from './endpoints.ts';
import { awsRegion, resolveRegion } from './region.ts';

describe("the AWS region: a setting, else the SDK's own chain, said where it came from", () => {
  let dir: string;
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-region-'));
  });
  after(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  /** The SDK's loader reads this process's environment, as every client does: each case sets it whole. */
  async function withProfileFile(text: string, env: Record<string, string>) {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, text);
    process.env = {
      PATH: saved.PATH,
      HOME: dir,
      AWS_CONFIG_FILE: file,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      ...env,
    };
    return { file, env: process.env };
  }

  it("takes the profile's region from the shared config file, and hands it to every client after", async () => {
    const { file, env } = await withProfileFile(
      '[default]\nregion = ap-south-1\n\n[profile dev]\nregion = eu-central-1\n',
      {
        AWS_PROFILE: 'dev',
      },
    );
    assert.deepEqual(await resolveRegion(env), { region: 'eu-central-1', from: `profile dev in ${file}` });
    assert.equal(env.AWS_REGION, 'eu-central-1', 'clients made later, and processes started later, use it');
    assert.equal(awsRegion(env), 'eu-central-1');
  });

  it('uses the default profile when AWS_PROFILE names none, and an SSO profile like any other', async () => {
    const { env } = await withProfileFile(
      '[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Tester\nregion = eu-west-3\n\n[sso-session corp]\nsso_region = us-west-2\nsso_start_url = https://corp.awsapps.com/start\n',
      {},
    );
    assert.equal((await resolveRegion(env)).region, 'eu-west-3', "the profile's region, not the SSO portal's");
  });

  it('lets UIGATE_REGION and AWS_REGION win over the profile, and says so', async () => {
    const { env } = await withProfileFile('[default]\nregion = eu-central-1\n', { AWS_REGION: 'sa-east-1' });
    assert.deepEqual(await resolveRegion(env), { region: 'sa-east-1', from: 'AWS_REGION' });
    const both = await withProfileFile('[default]\nregion = eu-central-1\n', {
      AWS_REGION: 'sa-east-1',
      UIGATE_REGION: 'ca-central-1',
    });
    assert.deepEqual(await resolveRegion(both.env), { region: 'ca-central-1', from: 'UIGATE_REGION' });
  });

  it('falls back to us-east-1 only when nothing names a region, and says that too', async () => {
    const { env } = await withProfileFile('[default]\noutput = json\n', {});
    const choice = await resolveRegion(env);
    assert.equal(choice.region, 'us-east-1');
    assert.match(choice.from, /no setting, AWS_REGION or profile names one/);
    assert.equal(env.AWS_REGION, undefined);
  });
});

describe("the SDK's endpoint variables", () => {
  it('takes AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, unless told to ignore them', () => {
    const cases: [Record<string, string>, string | undefined][] = [
      [{}, undefined],
      [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, 'http://127.0.0.1:5000'],
      [
        { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' },
        'http://127.0.0.1:8000',
      ],
      [{ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }, undefined],
      [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, undefined],
    ];
    for (const [env, expected] of cases)
      assert.equal(configuredEndpoint(env, 'DYNAMODB'), expected, JSON.stringify(env));
  });
});
