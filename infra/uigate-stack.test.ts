import { Source } from 'aws-cdk-lib/aws-s3-deployment';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import nag from 'cdk-nag';
import { REPO } from '../runner/testing/fixture-project.ts';
import { cfnLint, cfnLintMissing } from '../runner/testing/cfn-lint.ts';
import { ACCEPTED_LINT } from '../runner/testing/accepted-lint.ts';
import { UigateStack } from './uigate-stack.ts';
import { configFromEnv } from '../runner/config/config.ts';
import { pagePolicy, policyHeader, traceViewerPolicy } from '../status-site/app/policies.ts';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
};
const actions = (statement: Statement) => [statement.Action].flat();

/** A template string as CloudFormation will make it, with `${Ref}` and `${Resource.Attr}` left in. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `\${${object.Ref as string}}`;
  if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
  const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
  return parts.map(joined).join(separator);
}

describe('the uigate stack, synthesized', () => {
  let dir: string;
  let pageDir: string;
  let template: Template;
  let stack: UigateStack;
  let playwrightVersion: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-cdk-'));
    await writeFile(join(dir, 'lambda.mjs'), 'export const handler = async () => ({});\n');
    pageDir = await mkdtemp(join(tmpdir(), 'uigate-page-'));
    await writeFile(join(pageDir, 'index.html'), '<!doctype html><title>uigate</title>\n');
    playwrightVersion = JSON.parse(
      await readFile(join(REPO, 'node_modules', '@playwright', 'test', 'package.json'), 'utf8'),
    ).version;
    const app = new App();
    stack = new UigateStack(app, 'Uigate', {
      source: {
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc',
        owner: 'team',
        repo: 'shop',
      },
      code: Code.fromAsset(dir),
      page: Source.asset(pageDir),
      playwrightVersion,
      uigateConfig: {
        gate: { maxFailures: 0, requiredProjects: ['chromium'] },
        approval: { approvers: ['arn:aws:sts::111111111111:assumed-role/ReleaseManager/*'], requiredApprovals: 2 },
      },
    });
    Aspects.of(app).add(new nag.AwsSolutionsChecks());
    app.synth();
    template = Template.fromStack(stack);
  });
  const artifactsBucketId = () => {
    const ids = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) =>
      id.startsWith('UigateArtifactsBucket'),
    );
    assert.equal(ids.length, 1);
    return ids[0]!;
  };
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(pageDir, { recursive: true, force: true });
  });

  const statementsOf = (logicalIdPattern: RegExp): Statement[] =>
    Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => logicalIdPattern.test(id))
      .flatMap(
        ([, policy]) =>
          (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
            .Statement,
      );

  it('passes cdk-nag AwsSolutions, every exception justified in code', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    assert.deepEqual(
      findings.map((f) => `${f.id}: ${String(f.entry.data).split(':')[0]}`),
      [],
    );
  });

  it(
    'synthesizes a template cfn-lint finds no error in, and no warning but those listed with their reason',
    { skip: cfnLintMissing() },
    () => {
      const findings = cfnLint({ app: template.toJSON() }).filter(
        (finding) => !ACCEPTED_LINT.some((accepted) => accepted(finding)),
      );
      assert.deepEqual(
        findings.map((f) => `${f.level} ${f.rule} ${f.path}: ${f.message}`),
        [],
      );
    },
  );

  it('offers a policy that denies skipping the gate (OverrideStageCondition) on the pipeline and its stages', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p).includes('OverrideStageCondition'),
    );
    assert.ok(policy, 'a managed policy names OverrideStageCondition');
    const [statement] = (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
      .PolicyDocument.Statement;
    assert.equal(statement!.Effect, 'Deny');
    assert.deepEqual(actions(statement!), ['codepipeline:OverrideStageCondition']);
    assert.match(JSON.stringify(statement!.Resource), /ReleasePipeline.*"\/\*"/);
    template.hasOutput('*', { Value: Match.objectLike({ Ref: Match.stringLikeRegexp('DenyGateOverride') }) });
  });

  it('has a V2 pipeline: Source → Build → Test → Approval → Production', () => {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as {
      Properties: {
        PipelineType: string;
        Stages: { Name: string; Actions: { ActionTypeId: { Category: string; Provider: string } }[] }[];
      };
    }[];
    assert.equal(pipeline!.Properties.PipelineType, 'V2');
    assert.deepEqual(
      pipeline!.Properties.Stages.map((stage) => stage.Name),
      ['Source', 'Build', 'Test', 'Approval', 'Production'],
    );
    const providers = pipeline!.Properties.Stages.map((stage) =>
      stage.Actions.map((action) => action.ActionTypeId.Provider).join(','),
    );
    assert.deepEqual(providers, ['CodeStarSourceConnection', 'CodeBuild', 'CodeBuild', 'Manual', 'CodeBuild']);
  });

  it('notifies approvers through an encrypted SNS topic, with a link to the status site', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Approval',
          Actions: [
            Match.objectLike({
              Configuration: Match.objectLike({
                NotificationArn: Match.anyValue(),
                ExternalEntityLink: Match.anyValue(),
              }),
            }),
          ],
        }),
      ]),
    });
  });

  it('runs the suite in the Test stage with uigate fanning out to CodeBuild and Lambda, reporting JUnit', () => {
    // The buildspec holds the report group's ARN, so it is a CloudFormation join: read it as text.
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) =>
      JSON.stringify((p as { Properties: { Source: unknown } }).Properties.Source),
    );
    const orchestrator = specs.find((spec) => spec.includes('uigate run'))!;
    assert.match(orchestrator, /run --executor codebuild --executor lambda .*--junit reports\/junit\.xml/);
    assert.match(orchestrator, /file-format[^,]*JUNITXML/);
    template.resourceCountIs('AWS::CodeBuild::ReportGroup', 1);
  });

  it('fails the Test stage when the artifact digest cannot be taken: the digest line run in dash, as CodeBuild runs it', async () => {
    // The buildspec, as CloudFormation will join it: a JSON document whose commands are strings.
    const spec = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p) => joined((p as { Properties: { Source: { BuildSpec: unknown } } }).Properties.Source.BuildSpec))
      .find((text) => text.includes('uigate run'))!;
    const quoted = /"UIGATE_ARTIFACT_DIGEST=.*export UIGATE_ARTIFACT_DIGEST"/.exec(spec)?.[0];
    assert.ok(quoted, 'the Test stage takes the digest');
    const line = JSON.parse(quoted) as string;
    assert.match(
      line,
      /^UIGATE_ARTIFACT_DIGEST="\$\(npx --no-install uigate digest tests\/site\)" && export UIGATE_ARTIFACT_DIGEST$/,
    );
    const bin = await mkdtemp(join(tmpdir(), 'uigate-npx-'));
    try {
      // `npx --no-install uigate digest …` stood in for: once failing, once answering.
      const npx = join(bin, 'npx');
      // CodeBuild runs each command in one shell and stops the phase at the first that fails.
      const shell = (digest: string) =>
        spawnSync('dash', ['-c', `${line} || exit $?\necho "digest=$UIGATE_ARTIFACT_DIGEST"`], {
          encoding: 'utf8',
          env: { PATH: `${bin}:/usr/bin:/bin`, DIGEST: digest },
        });
      await writeFile(npx, '#!/bin/sh\n[ -n "$DIGEST" ] || { echo "digest failed" >&2; exit 2; }\necho "$DIGEST"\n', {
        mode: 0o755,
      });
      const failed = shell('');
      assert.notEqual(failed.status, 0, 'a digest that fails stops the build');
      assert.doesNotMatch(failed.stdout, /digest=/);
      const answered = shell('sha256:00ff');
      assert.equal(answered.status, 0, answered.stderr);
      assert.match(answered.stdout, /digest=sha256:00ff/);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('keeps results in one on-demand table with point-in-time recovery, TTL, byTime and byUnit', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'byTime',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'runId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
        Match.objectLike({
          IndexName: 'byUnit',
          KeySchema: [
            { AttributeName: 'unitKey', KeyType: 'HASH' },
            { AttributeName: 'runId', KeyType: 'RANGE' },
          ],
          Projection: Match.objectLike({ ProjectionType: 'INCLUDE' }),
        }),
      ]),
    });
  });

  it('gives the Lambda executor room for Chromium and a batch: ≥ 2 GB, 15 minutes, no reservation a new account cannot give', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'lambda.handler',
      MemorySize: Match.anyValue(),
      Timeout: 900,
      ReservedConcurrentExecutions: Match.absent(),
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 2048 },
    });
    const executor = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'lambda.handler' } }),
    )[0] as { Properties: { MemorySize: number } };
    assert.ok(executor.Properties.MemorySize >= 2048);
  });

  it('runs one supported Node.js major everywhere: every function and every pipeline step on Node 22', () => {
    const runtimes = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => (f as { Properties: { Runtime?: string } }).Properties.Runtime,
    );
    // CDK's own helper functions (bucket deployment, log retention) bring their runtimes: ours are the named ones.
    const ours = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([id]) => !/^(Custom|AWS|BucketDeployment|LogRetention)/.test(id),
    );
    assert.ok(ours.length >= 4, `the stack's functions: ${ours.map(([id]) => id).join(', ')}`);
    assert.deepEqual(
      [...new Set(ours.map(([, f]) => (f as { Properties: { Runtime: string } }).Properties.Runtime))],
      ['nodejs22.x'],
    );
    assert.ok(!runtimes.includes('nodejs20.x') && !runtimes.includes('nodejs18.x'), `runtimes: ${runtimes.join(', ')}`);
    // Inline buildspecs, some joined with CloudFormation tokens: read them as text. The worker's
    // runs in Playwright's own image, which brings its Node.
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p) => (p as { Properties: { Source: { BuildSpec?: unknown } } }).Properties.Source.BuildSpec)
      .map((spec) =>
        typeof spec === 'string'
          ? spec
          : (spec as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
              .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
              .join(''),
      )
      .filter((text) => text.startsWith('{') && !text.includes('uigate worker'));
    const nodes = specs.map((text) => /"nodejs": "(\d+)"/.exec(text)?.[1]);
    assert.equal(nodes.length, 3);
    assert.deepEqual([...new Set(nodes)], ['22']);
  });

  it("pins the CodeBuild worker to Playwright's image at the project's Playwright version", () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'uigate-worker',
      Environment: Match.objectLike({ Image: `mcr.microsoft.com/playwright:v${playwrightVersion}-noble` }),
      EncryptionKey: Match.anyValue(),
    });
  });

  it("sends the status page and Playwright's trace viewer from the bucket with the policies uigate serve sends", () => {
    const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy') as Record<
      string,
      {
        Properties: {
          ResponseHeadersPolicyConfig: {
            SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
          };
        };
      }
    >;
    const cspOf = (ref: unknown) =>
      joined(
        policies[(ref as { Ref: string }).Ref]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig
          .ContentSecurityPolicy.ContentSecurityPolicy,
      );
    // Large artifacts are redirected to the artifacts bucket's regional endpoint (hosting/lambda.ts).
    const direct = [`https://\${${artifactsBucketId()}}.s3.\${AWS::Region}.amazonaws.com`];
    const [status] = Object.values(
      template.findResources('AWS::CloudFront::Distribution', {
        Properties: { DistributionConfig: { Comment: 'uigate status site' } },
      }),
    ) as {
      Properties: {
        DistributionConfig: {
          DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown };
          CacheBehaviors: { PathPattern: string; ResponseHeadersPolicyId?: unknown }[];
        };
      };
    }[];
    const config = status!.Properties.DistributionConfig;
    assert.equal(cspOf(config.DefaultCacheBehavior.ResponseHeadersPolicyId), policyHeader(pagePolicy(direct)));
    const trace = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/trace/*')!;
    assert.equal(cspOf(trace.ResponseHeadersPolicyId), policyHeader(traceViewerPolicy(direct)));
    assert.deepEqual(config.CacheBehaviors.map((behavior) => behavior.PathPattern).sort(), [
      '/api/*',
      '/artifacts/*',
      '/reports/*',
      '/trace/*',
    ]);
    // Playwright's report is answered by the function, as the API is, with its own sandboxing policy.
    const behaviors = config.CacheBehaviors as {
      PathPattern: string;
      TargetOriginId: string;
      ResponseHeadersPolicyId?: unknown;
    }[];
    const report = behaviors.find((behavior) => behavior.PathPattern === '/reports/*')!;
    assert.equal(
      report.TargetOriginId,
      behaviors.find((behavior) => behavior.PathPattern === '/api/*')!.TargetOriginId,
    );
    assert.equal(report.ResponseHeadersPolicyId, undefined);
  });

  it('lets the page and the trace viewer read a presigned artifact: CORS for GET and HEAD on the artifacts bucket only', () => {
    const withCors = Object.entries(template.findResources('AWS::S3::Bucket')).filter(
      ([, bucket]) => (bucket as { Properties: Record<string, unknown> }).Properties.CorsConfiguration,
    );
    assert.deepEqual(
      withCors.map(([id]) => id),
      [artifactsBucketId()],
    );
    assert.deepEqual((withCors[0]![1] as { Properties: { CorsConfiguration: unknown } }).Properties.CorsConfiguration, {
      CorsRules: [{ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], MaxAge: 300 }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'status.handler',
      Environment: { Variables: Match.objectLike({ UIGATE_ARTIFACTS_BUCKET: { Ref: artifactsBucketId() } }) },
    });
  });

  it('names the production site’s bucket and URL for `uigate doctor --aws --site … --site-url …`', () => {
    const outputs = template.findOutputs('*');
    assert.match(
      joined(Object.entries(outputs).find(([id]) => id.startsWith('ReleaseProductionSiteBucket'))![1].Value),
      /^s3:\/\/\$\{ProductionSite\w*Bucket\w+\}$/,
    );
    assert.match(
      joined(Object.entries(outputs).find(([id]) => id.startsWith('ReleaseProductionSiteUrl'))![1].Value),
      /^https:\/\/\$\{ProductionSite\w*Distribution\w+\.DomainName\}$/,
    );
  });

  it('makes nothing public: every bucket blocks public access, is encrypted and refuses plain HTTP', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    assert.ok(Object.keys(buckets).length >= 6);
    for (const [id, bucket] of Object.entries(buckets) as [string, { Properties: Record<string, unknown> }][]) {
      assert.deepEqual(
        bucket.Properties.PublicAccessBlockConfiguration,
        { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        id,
      );
      assert.ok(bucket.Properties.BucketEncryption, `${id} is encrypted`);
    }
    for (const [id, policy] of Object.entries(template.findResources('AWS::S3::BucketPolicy')) as [
      string,
      { Properties: { PolicyDocument: { Statement: Statement[] } } },
    ][]) {
      const statements = policy.Properties.PolicyDocument.Statement;
      assert.ok(
        statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport')),
        `${id} denies plain HTTP`,
      );
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        // Only CloudFront (for this stack's distributions) and S3 log delivery may read or write.
        assert.notEqual(statement.Principal, '*', `${id} allows everyone`);
        assert.notDeepEqual(statement.Principal, { AWS: '*' }, `${id} allows everyone`);
      }
    }
  });

  it('never serves a kept release: CloudFront may not read releases/* of the production site, only its root', () => {
    const denied = Object.entries(template.findResources('AWS::S3::BucketPolicy')).filter(([, policy]) =>
      (
        policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }
      ).Properties.PolicyDocument.Statement.some(
        (statement) =>
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Principal) === '{"Service":"cloudfront.amazonaws.com"}' &&
          actions(statement).includes('s3:GetObject') &&
          /\/releases\/\*"/.test(JSON.stringify(statement.Resource)),
      ),
    );
    assert.deepEqual(
      denied.map(([, policy]) => JSON.stringify((policy as { Properties: { Bucket: unknown } }).Properties.Bucket)),
      [
        JSON.stringify({
          Ref: Object.keys(template.findResources('AWS::S3::Bucket')).find((id) =>
            id.startsWith('ProductionSiteContentBucket'),
          ),
        }),
      ],
      'the production site only: the test site and the status page have no release prefix',
    );
  });

  it('serves sites only through CloudFront with origin access control', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 3);
    const oacs = Object.values(template.findResources('AWS::CloudFront::OriginAccessControl')) as {
      Properties: { OriginAccessControlConfig: { OriginAccessControlOriginType: string } };
    }[];
    assert.deepEqual(oacs.map((o) => o.Properties.OriginAccessControlConfig.OriginAccessControlOriginType).sort(), [
      'lambda',
      's3',
      's3',
      's3',
    ]);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
  });

  it('lets the Source action and the Build clone use a connection under both service prefixes (codeconnections ARNs need the new one)', () => {
    const connection = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc';
    const uses = (pattern: RegExp) =>
      statementsOf(pattern)
        .filter((statement) => [statement.Resource].flat().includes(connection))
        .flatMap(actions)
        .sort();
    const both = ['codeconnections:UseConnection', 'codestar-connections:UseConnection'];
    assert.deepEqual([...new Set(uses(/^ReleasePipelineSourceCheckoutCodePipelineActionRole/))], both);
    assert.deepEqual([...new Set(uses(/^ReleaseBuildRole/))], both);
  });

  it('grants nothing on every resource ("*") but the CodePipeline job APIs, which take no other, to the gate only', () => {
    const wildcard = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
      (
        policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }
      ).Properties.PolicyDocument.Statement.filter((s) => [s.Resource].flat().includes('*')).map((s) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        actions(s).sort(),
      ]),
    );
    assert.deepEqual(wildcard.sort(), [
      // In a policy of their own, so that "*" is accepted there only (cdk/bake-and-rollback.ts).
      ['ReleaseDeployMetrics', ['cloudwatch:GetMetricData']],
      ['ReleaseDeployMetrics', ['cloudwatch:PutMetricData']],
      [
        'UigateGatePolicyServiceRoleDefaultPolicy',
        ['codepipeline:GetJobDetails', 'codepipeline:PutJobFailureResult', 'codepipeline:PutJobSuccessResult'],
      ],
    ]);
    const put = statementsOf(/^ReleaseDeployMetrics/).find((s) => actions(s).includes('cloudwatch:PutMetricData'))!;
    assert.deepEqual(put.Condition, { StringEquals: { 'cloudwatch:namespace': 'uigate' } });
  });

  it('enters the Approval stage only through the gate policy (beforeEntry LambdaInvoke rule) and says what is approved', () => {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as {
      Properties: {
        Stages: {
          Name: string;
          BeforeEntry?: {
            Conditions: {
              Result: string;
              Rules: { RuleTypeId: { Provider: string }; Configuration: Record<string, unknown> }[];
            }[];
          };
          Actions: { Configuration?: Record<string, unknown>; Namespace?: string }[];
        }[];
      };
    }[];
    const approval = pipeline!.Properties.Stages.find((stage) => stage.Name === 'Approval')!;
    const [condition] = approval.BeforeEntry!.Conditions;
    assert.equal(condition!.Result, 'FAIL');
    assert.equal(condition!.Rules[0]!.RuleTypeId.Provider, 'LambdaInvoke');
    assert.match(JSON.stringify(condition!.Rules[0]!.Configuration.FunctionName), /GatePolicy/);
    assert.deepEqual(JSON.parse(String(condition!.Rules[0]!.Configuration.UserParameters)), {
      pipelineExecutionId: '#{codepipeline.PipelineExecutionId}',
    });
    // The whole text comes from the run, which keeps it within CodePipeline's 500 characters.
    assert.equal(approval.Actions[0]!.Configuration!.CustomData, '#{UiTests.UIGATE_APPROVAL_INFO}');
    assert.equal(approval.Actions[0]!.Configuration!.ExternalEntityLink, '#{UiTests.UIGATE_RUN_URL}');
    const test = pipeline!.Properties.Stages.find((stage) => stage.Name === 'Test')!;
    assert.equal(test.Actions[0]!.Namespace, 'UiTests');
    assert.match(
      JSON.stringify(test.Actions[0]!.Configuration),
      /UIGATE_PIPELINE_EXECUTION_ID.*codepipeline\.PipelineExecutionId/,
    );
    const deploy = JSON.stringify(
      pipeline!.Properties.Stages.find((stage) => stage.Name === 'Production')!.Actions[0]!.Configuration,
    );
    assert.match(deploy, /UIGATE_RUN_ID.*#\{UiTests\.UIGATE_RUN_ID\}/);
  });

  it('bakes production with uigate verify, the one mechanism that rolls back on the smoke alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'uigate',
      MetricName: 'SmokeFailures',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as {
      Properties: {
        Stages: {
          Name: string;
          OnSuccess?: {
            Conditions: {
              Result: string;
              Rules: { RuleTypeId: { Provider: string }; Configuration: Record<string, unknown> }[];
            }[];
          };
        }[];
      };
    }[];
    const production = pipeline!.Properties.Stages.find((stage) => stage.Name === 'Production')!;
    // One rollback mechanism, uigate verify's: an onSuccess ROLLBACK would re-run the Deploy
    // action, whose pre-flight refuses while the alarm fires (infra/README.md).
    assert.equal(production.OnSuccess, undefined);
    // CodePipeline takes a rule's configuration as a map of strings, nothing else.
    type Conditions = { Conditions?: { Rules: { Configuration: Record<string, unknown> }[] }[] };
    const rules = pipeline!.Properties.Stages.flatMap((stage) => [
      ...((stage as { BeforeEntry?: Conditions }).BeforeEntry?.Conditions ?? []),
      ...((stage as { OnSuccess?: Conditions }).OnSuccess?.Conditions ?? []),
    ]).flatMap((condition) => condition.Rules);
    assert.ok(rules.length >= 1, 'the gate rule at least');
    for (const rule of rules)
      for (const [name, value] of Object.entries(rule.Configuration))
        assert.ok(
          typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
          name,
        );
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p) => (p as { Properties: { Source: { BuildSpec?: unknown } } }).Properties.Source.BuildSpec)
      .filter((spec): spec is string => typeof spec === 'string' && spec.startsWith('{'));
    const commands = specs
      .map(
        (spec) =>
          (JSON.parse(spec) as { phases?: { build?: { commands?: string[] } } }).phases?.build?.commands?.join('\n') ??
          '',
      )
      .find((text) => text.includes('uigate promote'))!;
    assert.match(commands, /verify --preflight --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET"/);
    assert.match(
      commands,
      /promote --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET" --invalidate "\$PRODUCTION_DISTRIBUTION" --from tests\/site/,
    );
    // The target is the production site's bucket, as `uigate promote` names an S3 site.
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([
          {
            Name: 'PRODUCTION_TARGET',
            Type: 'PLAINTEXT',
            Value: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^ProductionSiteContentBucket') }]] },
          },
        ]),
      }),
    });
    assert.match(commands, /verify --release "\$UIGATE_RUN_ID" .*--alarm "\$UIGATE_ALARM_0" --bake 600s .*--smoke-url/);
  });

  it('never retries the gate function: a failed gate is judged once, its job answered once', () => {
    const gate = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) =>
      /^UigateGatePolicy/.test(id),
    )!;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: gate },
      MaximumRetryAttempts: 0,
    });
  });

  it('lets the pipeline invoke the gate, and only the approval function answer the approval', () => {
    const pipelineRole = statementsOf(/^ReleasePipelineRole/).filter((s) =>
      actions(s).includes('lambda:InvokeFunction'),
    );
    assert.ok(pipelineRole.some((s) => JSON.stringify(s.Resource).includes('GatePolicy')));
    const answering = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('codepipeline:PutApprovalResult'))
      .map(([id]) => id);
    assert.deepEqual(
      answering.map((id) => id.replace(/[0-9A-F]{8}$/, '')),
      ['UigateGateApprovalsServiceRoleDefaultPolicy'],
    );
    const statement = statementsOf(/^UigateGateApprovals/).find((s) =>
      actions(s).includes('codepipeline:PutApprovalResult'),
    )!;
    assert.match(JSON.stringify(statement.Resource), /:uigate-release\/Approval\/Approve/);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^UigateGateApprovals'), 'Arn'] }),
    });
  });

  it('lets the approval function read the runs’ screenshots it fingerprints, and write none', () => {
    const approvals = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'status.handler' } }),
    ).find((fn) => JSON.stringify(fn).includes('UIGATE_APPROVALS')) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    assert.match(JSON.stringify(approvals.Properties.Environment.Variables.UIGATE_ARTIFACTS_BUCKET), /UigateArtifacts/);
    const s3 = statementsOf(/^UigateGateApprovals/)
      .flatMap(actions)
      .filter((action) => action.startsWith('s3:'));
    assert.ok(s3.includes('s3:GetObject*'), s3.join(', '));
    assert.deepEqual(
      s3.filter((action) => /Put|Delete/.test(action)),
      [],
    );
  });

  it('hands the functions the project policy and approval rules, validated as uigate.config.ts would be', () => {
    const gate = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'gate.handler' } }),
    )[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    // The topic ARN and the site's domain are tokens: put stand-ins where CloudFormation fills them in.
    const joined = gate.Properties.Environment.Variables.UIGATE_CONFIG as { 'Fn::Join': [string, unknown[]] };
    const text = joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    const config = configFromEnv({
      UIGATE_CONFIG: text
        .replace('"snsTopicArn":"TOKEN"', '"snsTopicArn":"arn:aws:sns:eu-west-1:111111111111:t"')
        .replace('https://TOKEN', 'https://d1.cloudfront.net'),
    });
    assert.deepEqual(config.gate, { maxFailures: 0, requiredProjects: ['chromium'] });
    assert.equal(config.approval.requiredApprovals, 2);
    assert.deepEqual(config.approval.pipeline, {
      name: 'uigate-release',
      stage: 'Approval',
      action: 'Approve',
      region: 'us-east-1',
    });
  });

  it('keeps the status API read-only on the table', () => {
    const status = statementsOf(/^UigateStatusApi/).flatMap(actions);
    assert.ok(status.includes('dynamodb:Query') && status.includes('dynamodb:GetItem'));
    assert.deepEqual(
      status.filter((action) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
      [],
    );
  });

  it('keeps results from anyone without a session: both status-app functions get the session key, and only they', () => {
    const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    assert.ok(secretId, 'a generated session key');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const statusApp = Object.entries(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'status.handler' } }),
    );
    assert.equal(statusApp.length, 2, 'the status function and the approval function');
    for (const [id, fn] of statusApp) {
      const variables = (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
        .Environment.Variables;
      assert.deepEqual(variables.UIGATE_SESSION_SECRET_ARN, { Ref: secretId }, id);
    }
    const readers = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy).includes('secretsmanager:GetSecretValue'))
      .map(([id]) => id.replace(/ServiceRoleDefaultPolicy.*$/, ''))
      .sort();
    assert.deepEqual(readers, ['UigateGateApprovals', 'UigateStatusApi']);
  });

  /** Every statement of a role that names a DynamoDB action, with its actions and condition. */
  const tableStatements = (role: RegExp) =>
    statementsOf(role)
      .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
      .map((s) => ({ actions: actions(s).sort(), condition: JSON.stringify(s.Condition ?? null) }));
  const onlyPartitions = (...partitions: string[]) =>
    JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } });

  it('lets the executors write unit results only: no votes, decisions, releases or runs (LeadingKeys UNITS#*)', () => {
    assert.deepEqual(tableStatements(/^UigateExecutorsLambdaExecutor/), [
      { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], condition: onlyPartitions('UNITS#*') },
    ]);
    assert.deepEqual(tableStatements(/^UigateExecutorsWorker/), [
      {
        // Its batch's units read by key, its seats read and written.
        actions: [
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        condition: onlyPartitions('UNITS#*'),
      },
    ]);
  });

  it("keeps the Test stage's orchestrator, which loads the candidate's Playwright config, to runs and units", () => {
    const statements = tableStatements(/^ReleaseOrchestrator/);
    const writes = statements.filter((s) => s.actions.some((a) => /Put|Update|Delete|BatchWrite/.test(a)));
    assert.deepEqual(writes, [
      {
        actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        condition: onlyPartitions('RUN#*', 'UNITS#*'),
      },
    ]);
    assert.ok(
      statements.every((s) => !s.actions.includes('dynamodb:Scan') && !s.actions.includes('dynamodb:DeleteItem')),
    );
  });

  it('deploys the status page with the stack, from trusted code: the Test stage neither builds nor uploads it', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as {
      Properties: { DestinationBucketName: { Ref: string } };
    }[];
    assert.match(deployment!.Properties.DestinationBucketName.Ref, /^UigateStatusSite/);
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) => JSON.stringify(p));
    assert.ok(specs.every((spec) => !spec.includes('status-site/dist')));
    const orchestrator = JSON.stringify(statementsOf(/^ReleaseOrchestrator/));
    assert.ok(!/StatusSite/.test(orchestrator), 'the orchestrator cannot write the status bucket');
  });

  it('lets the orchestrator start, watch and stop builds of the worker project only', () => {
    const statement = statementsOf(/^ReleaseOrchestrator/).find((s) => actions(s).includes('codebuild:StartBuild'))!;
    assert.deepEqual(actions(statement).sort(), [
      'codebuild:BatchGetBuilds',
      'codebuild:StartBuild',
      'codebuild:StopBuild',
    ]);
    assert.equal(JSON.stringify(statement.Resource).includes('ExecutorsWorker'), true);
  });

  it('creates the reports folder before the Test stage redirects the summary into it', () => {
    const orchestrator = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p) => JSON.stringify(p))
      .find((spec) => spec.includes('uigate run'))!;
    const mkdir = orchestrator.indexOf('mkdir -p reports');
    assert.ok(mkdir >= 0 && mkdir < orchestrator.indexOf('> reports/summary.json'));
  });

  it("lets the CodeBuild worker read every commit's source zip a build can be pointed at, not only the default", () => {
    const reads = statementsOf(/^UigateExecutorsWorker/).filter((s) =>
      actions(s).some((a) => a.startsWith('s3:GetObject')),
    );
    assert.ok(
      reads.some((s) => JSON.stringify(s.Resource).includes('/source/*')),
      JSON.stringify(reads.map((s) => s.Resource)),
    );
  });

  it('lets CloudFront invoke the status function URL both ways OAC needs, for its own distribution only', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (p) => (p as { Properties: { Action: string; Principal: string; SourceArn?: unknown } }).Properties,
    );
    const fromCloudFront = permissions.filter((p) => p.Principal === 'cloudfront.amazonaws.com');
    assert.deepEqual([...new Set(fromCloudFront.map((p) => p.Action))].sort(), [
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ]);
    for (const p of fromCloudFront) assert.match(JSON.stringify(p.SourceArn), /StatusSiteDistribution/);
  });

  it('lets every site serve a new or rolled-back release at once: no default caching of objects without Cache-Control', () => {
    const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution')) as {
      Properties: { DistributionConfig: { DefaultCacheBehavior: { CachePolicyId: unknown } } };
    }[];
    const policies = template.findResources('AWS::CloudFront::CachePolicy');
    assert.equal(distributions.length, 3);
    for (const distribution of distributions) {
      const id = (distribution.Properties.DistributionConfig.DefaultCacheBehavior.CachePolicyId as { Ref: string }).Ref;
      const config = (policies[id] as { Properties: { CachePolicyConfig: { DefaultTTL: number; MinTTL: number } } })
        .Properties.CachePolicyConfig;
      assert.deepEqual([config.DefaultTTL, config.MinTTL], [0, 0]);
    }
  });

  it("lets the Lambda executor read the run's test bundle, so it runs the commit's tests, not the deploy's", () => {
    const reads = statementsOf(/^UigateExecutorsLambdaExecutor/).filter((s) =>
      actions(s).some((a) => a.startsWith('s3:GetObject')),
    );
    assert.ok(
      reads.some((s) => JSON.stringify(s.Resource).includes('bundles/*')),
      JSON.stringify(reads.map((s) => s.Resource)),
    );
  });

  it("gives the Test stage the commit, its message and branch from the source action's variables, and the pipeline's name", () => {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as {
      Properties: { Stages: { Name: string; Actions: { Name: string; Configuration?: Record<string, unknown> }[] }[] };
    }[];
    const test = pipeline!.Properties.Stages.find((stage) => stage.Name === 'Test')!.Actions[0]!;
    const variables = JSON.parse(String(test.Configuration!.EnvironmentVariables)) as { name: string; value: string }[];
    const valueOf = (name: string) => variables.find((v) => v.name === name)?.value;
    assert.match(valueOf('UIGATE_COMMIT') ?? '', /^#\{[A-Za-z_]+\.CommitId\}$/);
    assert.match(valueOf('UIGATE_BRANCH') ?? '', /^#\{[A-Za-z_]+\.BranchName\}$/);
    // What the notifications name the release by.
    assert.match(valueOf('UIGATE_COMMIT_MESSAGE') ?? '', /^#\{[A-Za-z_]+\.CommitMessage\}$/);
    assert.equal(valueOf('UIGATE_PIPELINE_NAME'), 'uigate-release');
    const orchestrator = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p) => JSON.stringify(p))
      .find((spec) => spec.includes('uigate run'))!;
    assert.match(orchestrator, /source\/\$UIGATE_COMMIT\.zip/, 'the workers get the same commit');
  });
});
