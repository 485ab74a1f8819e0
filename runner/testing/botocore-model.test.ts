// The request check itself: a request AWS would refuse is named, one it would take passes.
import assert from 'node:assert/strict';
import { PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { describe, it } from 'node:test';
import { botocoreData, problemsOf, requestProblems } from './botocore-model.ts';

describe(
  "mocked AWS requests, checked against botocore's models",
  { skip: botocoreData() ? false : 'no botocore' },
  () => {
    const approval = {
      pipelineName: 'shop',
      stageName: 'Approval',
      actionName: 'Approve',
      token: '1a2b3c4d-0000-4000-8000-000000000000',
      result: { summary: 'approved by ana', status: 'Approved' },
    };

    it('takes a well-formed request', () => {
      assert.deepEqual(problemsOf('codepipeline', 'PutApprovalResult', approval), []);
    });

    it('names a missing required member, an unknown one, a value outside its enum and one too long', () => {
      const { token: _token, ...noToken } = approval;
      assert.deepEqual(problemsOf('codepipeline', 'PutApprovalResult', noToken), [
        'PutApprovalResult: required member token missing',
      ]);
      assert.deepEqual(problemsOf('codepipeline', 'PutApprovalResult', { ...approval, comment: 'x' }), [
        'PutApprovalResult: unknown member comment',
      ]);
      const result = { summary: 'x'.repeat(513), status: 'Approve' };
      assert.deepEqual(problemsOf('codepipeline', 'PutApprovalResult', { ...approval, result }), [
        'PutApprovalResult.result.summary: 513 characters, more than 512',
        'PutApprovalResult.result.status: "Approve" is not one of Approved, Rejected',
      ]);
    });

    it("checks numbers' ranges and strings' patterns, and names the operation from the command", () => {
      assert.match(
        problemsOf('codebuild', 'StartBuild', { projectName: 'w', timeoutInMinutesOverride: 5000 }).join('\n'),
        /timeoutInMinutesOverride: 5000 is above 2160/,
      );
      assert.match(
        problemsOf('lambda', 'GetAlias', { FunctionName: 'a b', Name: 'live' }).join('\n'),
        /does not match/,
      );
      const calls = [{ args: [new PutApprovalResultCommand({ ...approval, token: undefined } as never)] }];
      assert.deepEqual(requestProblems({ calls: () => calls }, 'codepipeline'), [
        'PutApprovalResult: required member token missing',
      ]);
    });
  },
);
