// A Lambda alias as production against Lambda's control plane as moto_server implements it: the
// real SDK client and the code `uigate promote` and `uigate verify` run. Where moto does not
// implement a behaviour, lambda-alias-target.test.ts checks it against AWS's documented answer
// instead: PublishVersion's CodeSha256 precondition (moto publishes whatever hash it is given), and
// PublishVersion after UpdateFunctionCode with unchanged code returning the last version (moto
// publishes a new one; AWS: "Lambda doesn't publish a version if the function's configuration and
// code haven't changed since the last version", API_PublishVersion).
import assert from 'node:assert/strict';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../status-site/testing/seed.ts';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { releaseFolder as folder } from '../testing/release-folder.ts';
import { aliasReleases } from '../testing/alias-releases.ts';
import { LambdaAliasTarget } from './lambda-alias-target.ts';
import { zipFolder } from './zip-folder.ts';

const skip = motoMissing();

const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('a Lambda alias as production (Lambda on moto_server)', { skip }, () => {
  let moto: Moto;
  let lambda: LambdaClient;
  let seed: SeededStore;
  let dir: string;
  const target = () => new LambdaAliasTarget(lambda, 'shop-api', 'live', { pollMs: 1 });
  const alias = async () =>
    (await lambda.send(new GetAliasCommand({ FunctionName: 'shop-api', Name: 'live' }))).FunctionVersion;

  before(async () => {
    moto = await startMoto();
    lambda = new LambdaClient(moto.client);
    const iam = new IAMClient(moto.client);
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'shop-api', AssumeRolePolicyDocument: JSON.stringify(TRUST) }),
    );
    iam.destroy();
    dir = await mkdtemp(join(tmpdir(), 'uigate-lambda-moto-'));
    // The function as a team's stack makes it: version 1 published, the alias on it.
    const placeholder = await zipFolder(
      await folder(join(dir, 'v1'), { 'index.mjs': 'export const handler = () => 1;' }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'shop-api',
        Runtime: 'nodejs20.x',
        Role: role.Role!.Arn,
        Handler: 'index.handler',
        Code: { ZipFile: placeholder },
        Publish: true,
      }),
    );
    await lambda.send(new CreateAliasCommand({ FunctionName: 'shop-api', Name: 'live', FunctionVersion: '1' }));
    seed = await seededStore();
  });
  after(async () => {
    lambda?.destroy();
    await moto?.close();
    await seed?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stages a folder as a published version without moving the alias, then makes it live', async () => {
    const fn = await folder(join(dir, 'r1'), { 'index.mjs': 'export const handler = () => "r1";' });
    const version = await target().stage('20261129T180000000Z-aaaa', fn);
    assert.equal(version, '2');
    assert.equal(await alias(), '1', 'staging makes nothing live');
    const published = await lambda.send(new GetFunctionCommand({ FunctionName: 'shop-api', Qualifier: '2' }));
    assert.equal(published.Configuration?.Description, 'uigate release 20261129T180000000Z-aaaa');
    await target().publish(version);
    assert.equal(await target().live(), '2');
    assert.equal(await alias(), '2');
  });

  it('promotes by version, and a failed bake points the alias back at the last version that passed its own', async () => {
    const good = await seedRun(seed, [{ file: 'a.spec.ts', title: 'a', status: 'passed' }]);
    const bad = await seedRun(seed, [{ file: 'a.spec.ts', title: 'a', status: 'passed' }]);
    const { release, bake } = aliasReleases(seed, dir, target);

    const first = await release(good, 'export const handler = () => "good";');
    assert.equal(first.releaseId, '3');
    assert.equal((await bake(good, '3', 'OK')).healthy, true);
    const second = await release(bad, 'export const handler = () => { throw new Error("bad"); };');
    assert.deepEqual([second.releaseId, second.previous], ['4', '3']);
    assert.equal(await alias(), '4');
    const result = await bake(bad, '4', 'ALARM');
    assert.equal(!result.healthy && result.restored, '3');
    assert.equal(await alias(), '3', "the alias serves the good release's version again");
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'shop-api' }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.Version),
      ['$LATEST', '1', '2', '3', '4'],
      'the bad version is kept, not deleted',
    );
    const releases = await seed.store.listReleases('lambda:shop-api:live');
    assert.deepEqual(releases.map((r) => [r.releaseId, r.runId, r.status]).sort(), [
      ['3', good, 'verified'],
      ['4', bad, 'failed'],
    ]);
  });
});
