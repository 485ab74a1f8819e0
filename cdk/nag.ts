// The cdk-nag findings a construct accepts, each with its reason, on its own resources only: a
// team's stack keeps every finding of its own. Written as cdk-nag reads them (the `cdk_nag`
// metadata of each CloudFormation resource), so an app using these constructs needs no cdk-nag.
import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface AcceptedFinding {
  /** The rule, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why it is right here: what a reviewer reads in the template. */
  readonly reason: string;
  /** Only these findings of the rule (cdk-nag's finding ids, e.g. `Resource::*`, or `{ regex: '/…/' }`). @default all */
  readonly appliesTo?: readonly (string | { regex: string })[];
}

interface CfnSuppression {
  id: string;
  reason: string;
  applies_to?: (string | { regex: string })[];
  is_reason_encoded?: boolean;
}

/** cdk-nag's stored form: a reason outside Latin-1 is kept base64-encoded and marked so. */
function stored(finding: AcceptedFinding): CfnSuppression {
  const encode = [...finding.reason].some((c) => c.codePointAt(0)! > 255);
  return {
    id: finding.id,
    reason: encode ? Buffer.from(finding.reason).toString('base64') : finding.reason,
    ...(finding.appliesTo ? { applies_to: [...finding.appliesTo] } : {}),
    ...(encode ? { is_reason_encoded: true } : {}),
  };
}

/** Accepts `findings` on every CloudFormation resource under `scope` (scope included). */
export function acceptFindings(scope: IConstruct, findings: readonly AcceptedFinding[]): void {
  for (const child of scope.node.findAll()) {
    const resource = child.node.defaultChild ?? child;
    if (!CfnResource.isCfnResource(resource)) continue;
    const existing =
      (resource.getMetadata('cdk_nag') as { rules_to_suppress?: CfnSuppression[] } | undefined)?.rules_to_suppress ??
      [];
    const all = new Set([...existing, ...findings.map(stored)].map((rule) => JSON.stringify(rule)));
    resource.addMetadata('cdk_nag', { rules_to_suppress: [...all].map((rule) => JSON.parse(rule) as CfnSuppression) });
  }
}

/** What a role granted to by CDK's grant* methods accepts. */
export const GRANT_WILDCARDS: AcceptedFinding = {
  id: 'AwsSolutions-IAM5',
  reason:
    'Wildcards come only from grant* methods on uigate’s own resources: object keys under its buckets (bucket/*), action families such as s3:GetObject* and s3:Abort*, ' +
    'its CodeBuild report group and the log streams of its own projects — and, where production is a Lambda alias, the versions and aliases of that one function (<function ARN>:*), which publishing a version and moving the alias act on. No wildcard resource reaches outside them.',
  // Only the shapes those grants make: never "*" as a resource, never a whole service's actions
  // (s3:*), never a literal ARN — a team's own grant on these roles keeps its findings.
  appliesTo: [
    { regex: '/^Action::(s3|kms):[A-Z][A-Za-z]*\\*$/' },
    { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>(\\/[A-Za-z0-9_*-]+)*(\\/\\*|:\\*)$/' },
    {
      regex:
        // A stack with an explicit env has its region and account written out, not as pseudo parameters.
        '/^Resource::arn:<AWS::Partition>:(codebuild:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d):(<AWS::AccountId>|\\d{12}):report-group\\/<[A-Za-z0-9]+>-\\*|logs:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d):(<AWS::AccountId>|\\d{12}):log-group:\\/aws\\/codebuild\\/<[A-Za-z0-9]+>:\\*|s3:::cdk-[a-z0-9]+-assets-(<AWS::AccountId>|\\d{12})-(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d)\\/\\*)$/',
    },
  ],
};

/** What every uigate function and project accepts: CDK's own role policies and grants. */
export const FUNCTION_FINDINGS: readonly AcceptedFinding[] = [
  {
    id: 'AwsSolutions-IAM4',
    reason:
      'AWSLambdaBasicExecutionRole (CloudWatch Logs only) is the managed policy CDK attaches to Lambda roles; it grants nothing else.',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  },
  GRANT_WILDCARDS,
  {
    id: 'AwsSolutions-L1',
    reason:
      'Pinned to nodejs22.x: the package is built and tested on a Node line uigate supports; it moves with uigate, not with each runtime release.',
  },
];
