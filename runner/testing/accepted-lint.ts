// cfn-lint's warnings on uigate's templates that stay, each with its reason. Anything else it finds
// fails the template tests (cdk/props.test.ts, infra/uigate-stack.test.ts).
import type { LintFinding } from './cfn-lint.ts';

export const ACCEPTED_LINT: ((finding: LintFinding) => boolean)[] = [
  // W3005: a DependsOn on a role the resource also reaches by GetAtt. aws-cdk-lib adds it to every
  // Lambda function (and the pipeline) so that the role's policy exists before the function can be
  // invoked; a GetAtt on the role does not wait for the policy, the DependsOn names the policy too.
  (f) =>
    f.level === 'Warning' &&
    f.rule === 'W3005' &&
    /^'\w*Role[0-9A-F]{8}' dependency already enforced by a 'GetAtt'/.test(f.message),
  // W3045: the logs bucket's AccessControl (LogDeliveryWrite). CloudFront's standard (legacy)
  // logging writes through the bucket's ACL and needs it ("Configure standard logging (legacy)",
  // CloudFront Developer Guide); infra/README.md says so beside the logging it uses.
  (f) => f.level === 'Warning' && f.rule === 'W3045' && /^Resources\/\w*LogsBucket/.test(f.path),
];
