// The doctor's first check against STS as moto_server implements it: who the credentials are,
// from the real GetCallerIdentity answer. (moto has no Service Quotas for CodeBuild and no Lambda
// GetAccountSettings: those checks stay on mocks, their requests checked against botocore's models.)
import assert from 'node:assert/strict';
import { STSClient } from '@aws-sdk/client-sts';
import { after, before, describe, it } from 'node:test';
import { motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import { identityCheck } from './account-checks.ts';

const skip = motoMissing();

describe('uigate doctor: the credentials it runs with (STS on moto_server)', { skip }, () => {
  let moto: Moto;
  let sts: STSClient;
  before(async () => {
    moto = await startMoto();
    sts = new STSClient(moto.client);
  });
  after(async () => {
    sts?.destroy();
    await moto?.close();
  });

  it('names the caller, its account and the region the rest of the checks ask', async () => {
    const outcome = await identityCheck(sts, 'eu-west-1').run();
    assert.equal(outcome.status, 'pass');
    assert.match(outcome.detail, /^arn:aws:sts::\d{12}:user\/\S+ in account \d{12}, region eu-west-1$/);
  });
});
