// The doctor's checks against moto_server where it implements the API: who the credentials are,
// from the real GetCallerIdentity answer, and the worker project's size from a real
// BatchGetProjects. (moto has no Service Quotas for CodeBuild and no Lambda GetAccountSettings:
// those checks stay on mocks, their requests checked against botocore's models.)
import assert from 'node:assert/strict';
import { STSClient } from '@aws-sdk/client-sts';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { after, before, describe, it } from 'node:test';
import { createWorkerProject, motoMissing, startMoto, type Moto } from '../testing/moto.ts';
import type { CodeBuildCompute } from '../config/config.ts';
import { codebuildWorkerSizeCheck, identityCheck } from './account-checks.ts';

const skip = motoMissing();

describe(
  'uigate doctor: the credentials it runs with and the worker project (STS and CodeBuild on moto_server)',
  { skip },
  () => {
    let moto: Moto;
    let sts: STSClient;
    let codebuild: CodeBuildClient;
    before(async () => {
      moto = await startMoto();
      sts = new STSClient(moto.client);
      codebuild = new CodeBuildClient(moto.client);
    });
    after(async () => {
      sts?.destroy();
      codebuild?.destroy();
      await moto?.close();
    });

    it('names the caller, its account and the region the rest of the checks ask', async () => {
      const outcome = await identityCheck(sts, 'eu-west-1').run();
      assert.equal(outcome.status, 'pass');
      assert.match(outcome.detail, /^arn:aws:sts::\d{12}:user\/\S+ in account \d{12}, region eu-west-1$/);
    });

    it('checks the worker project is the size the plan prices and room for its Playwright workers', async () => {
      await createWorkerProject(codebuild);
      const check = (workers: number, computeType: CodeBuildCompute) =>
        codebuildWorkerSizeCheck(codebuild, 'uigate-worker', { workers, computeType }).run();
      const fits = await check(2, 'BUILD_GENERAL1_MEDIUM');
      assert.equal(fits.status, 'pass', fits.detail);
      assert.match(fits.detail, /uigate-worker is BUILD_GENERAL1_MEDIUM \(4 vCPUs\)/);
      const priced = await check(2, 'BUILD_GENERAL1_LARGE');
      assert.equal(priced.status, 'fail');
      assert.match(priced.fix!, /set executors\.codebuild\.computeType to "BUILD_GENERAL1_MEDIUM"/);
      const crowded = await check(6, 'BUILD_GENERAL1_MEDIUM');
      assert.equal(crowded.status, 'fail');
      assert.match(crowded.fix!, /set executors\.codebuild\.workers to 4 or fewer, or deploy a larger worker/);
      const missing = await codebuildWorkerSizeCheck(codebuild, 'nope', {
        workers: 1,
        computeType: 'BUILD_GENERAL1_MEDIUM',
      }).run();
      assert.equal(missing.status, 'skip');
    });
  },
);
