// cdk-nag AwsSolutions findings this stack accepts, each with the reason. Everything else must pass.
import type { Stack } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import nag from 'cdk-nag';

// cdk-nag is CommonJS without named-export hints for ESM.
const { NagSuppressions } = nag;

export function suppressWithReasons(stack: Stack, logs: IBucket): void {
  NagSuppressions.addResourceSuppressions(
    logs,
    [{ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' }],
    true,
  );
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'AWSLambdaBasicExecutionRole (CloudWatch Logs only) is the managed policy CDK attaches to Lambda roles; it grants nothing else.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Wildcards come only from grant* methods on this stack’s own resources: object keys under its buckets (bucket/*), action families such as s3:GetObject* and s3:Abort*, ' +
        'the CodeBuild report group and log streams of its own projects. No wildcard resource reaches outside the stack.',
    },
    {
      id: 'AwsSolutions-CFR1',
      reason: 'Test results and sites are for the team wherever it works; no country is excluded.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason: 'WAF is left to the team’s own edge setup; the origins are private (OAC) and the API is read-only.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The distributions use the default *.cloudfront.net certificate, which does not allow pinning TLS 1.2 in the viewer policy; add a domain and ACM certificate to raise it.',
    },
    {
      id: 'AwsSolutions-CB5',
      reason:
        'The worker must run in Playwright’s own image (mcr.microsoft.com/playwright, pinned to the project’s Playwright version): it carries Chromium, Firefox and WebKit with their system libraries, which CodeBuild’s images do not.',
    },
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'The session key only signs 12-hour status-site sessions; rotating it needs no rotation function: put a new random value and everyone signs in again.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x: the package is built and tested on a Node line this project supports; move with the project, not with each runtime release.',
    },
  ]);
}
