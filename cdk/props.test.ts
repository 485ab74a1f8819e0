// Props are checked as CDK's own constructs check theirs: at synth, one error naming the prop, the
// value and what is accepted — before anything reaches CloudFormation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import nag from 'cdk-nag';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Alias, Code, Function as LambdaFunction, FunctionUrlAuthType, Runtime, Version } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnPipeline } from 'aws-cdk-lib/aws-codepipeline';
import { Source } from 'aws-cdk-lib/aws-s3-deployment';
import { ComputeType } from 'aws-cdk-lib/aws-codebuild';
import {
  BakeAndRollback,
  PipelineSource,
  SiteDeployment,
  Uigate,
  UigatePipeline,
  WebSite,
  type UigatePipelineProps,
} from './index.ts';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { ACCEPTED_LINT } from '../runner/testing/accepted-lint.ts';
import { cfnLint, cfnLintMissing } from '../runner/testing/cfn-lint.ts';
import { Artifact, Pipeline, PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { CodeCommitSourceAction } from 'aws-cdk-lib/aws-codepipeline-actions';

function core(props: Partial<ConstructorParameters<typeof Uigate>[2]> = {}) {
  const stack = new Stack(new App(), 'Shop');
  const uigate = new Uigate(stack, 'Uigate', {
    code: Code.fromInline('export const handler = async () => ({});'),
    page: Source.data('index.html', '<!doctype html>'),
    playwrightVersion: '1.64.1',
    ...props,
  });
  return { stack, uigate };
}

function pipeline(props: Partial<UigatePipelineProps> = {}) {
  const { stack, uigate } = props.uigate ? { stack: Stack.of(props.uigate), uigate: props.uigate } : core();
  const site = new WebSite(stack, 'Live', { comment: 'live', logs: uigate.logs, versioned: true });
  return new UigatePipeline(stack, 'Release', {
    uigate,
    source: PipelineSource.connection({
      connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/x',
      owner: 'o',
      repo: 'r',
    }),
    testEnvironment: SiteDeployment.commands({
      commands: ['npm run deploy:staging'],
      url: 'https://staging.example.com',
    }),
    production: SiteDeployment.s3Site(site, 'dist'),
    ...props,
  });
}

/** Every template the tests below synthesize, for one cfn-lint run at the end. */
const synthesized: Record<string, unknown> = {};

/** Reads the stack's template, and keeps it for cfn-lint under this name. */
function templateOf(name: string, stack: Stack): Template {
  const template = Template.fromStack(stack);
  synthesized[name] = template.toJSON();
  return template;
}

describe('uigate/cdk props', () => {
  it('names the prop, the value and the range when a number is out of range', () => {
    assert.throws(
      () => core({ lambdaConcurrency: 0 }),
      /^Error: uigate: lambdaConcurrency must be a whole number from 1 to 1000, got 0$/,
    );
    assert.throws(
      () => core({ approval: { approvers: ['arn:aws:iam::1:user/ana'], requiredApprovals: 0 } }),
      /^ConfigError: Uigate props: approval\.requiredApprovals: .*, got 0$/,
    );
    assert.throws(
      () => core({ gate: { maxFailure: 0 } }),
      /Uigate props: unknown key "gate\.maxFailure"; did you mean "maxFailures"\?/,
    );
    assert.throws(
      () => core({ artifactRetention: Duration.days(0) }),
      /artifactRetention must be a whole number from 1 to 3650 days, got 0/,
    );
    assert.throws(
      () => pipeline({ bake: Duration.hours(9) }),
      /bake must be a whole number from 60 to 28800 seconds, got 32400/,
    );
    assert.throws(() => pipeline({ bake: Duration.seconds(30) }), /bake must be .* got 30/);
  });

  it('gives the CodeBuild worker the compute type asked for, room for several Playwright workers', () => {
    const worker = (stack: Stack) =>
      Template.fromStack(stack).findResources('AWS::CodeBuild::Project', {
        Properties: { Description: Match.stringLikeRegexp('worker') },
      });
    const types = (stack: Stack) =>
      Object.values(worker(stack)).map(
        (project) =>
          (project as { Properties: { Environment: { ComputeType: string } } }).Properties.Environment.ComputeType,
      );
    assert.deepEqual(types(core().stack), ['BUILD_GENERAL1_MEDIUM']);
    assert.deepEqual(types(core({ workerComputeType: ComputeType.LARGE }).stack), ['BUILD_GENERAL1_LARGE']);
  });

  it('refuses empty lists, a production it could not roll back and a folder outside the build', () => {
    assert.throws(
      () => pipeline({ executors: [] }),
      /executors must name at least one, e.g. \['codebuild', 'lambda'\]; got \[\]/,
    );
    assert.throws(() => pipeline({ buildCommands: [] }), /buildCommands must name at least one/);
    assert.throws(
      () =>
        pipeline({ production: SiteDeployment.commands({ commands: ['./deploy.sh'], url: 'https://example.com' }) }),
      /production must be SiteDeployment\.s3Site\(site, directory\), SiteDeployment\.lambdaAlias\(\{ alias, directory, url \}\) or SiteDeployment\.commands\(\{ commands, url, directory \}\): uigate keeps the directory of each release/,
    );
    assert.throws(() => SiteDeployment.commands({ commands: [], url: 'https://example.com' }), /at least one command/);
    const { stack, uigate } = core();
    const site = new WebSite(stack, 'Site', { comment: 'site', logs: uigate.logs });
    assert.throws(
      () => SiteDeployment.s3Site(site, '../secrets'),
      /directory must be a folder inside the build, e\.g\. "dist", got "\.\.\/secrets"/,
    );
  });

  it('takes a test environment deployed by the team’s own commands, with the grant they need', () => {
    let granted = false;
    const built = pipeline({
      testEnvironment: SiteDeployment.commands({
        commands: ['npm run deploy:staging'],
        url: 'https://staging.example.com',
        grant: () => (granted = true),
      }),
      executors: ['lambda'],
    });
    assert.ok(granted, 'the Test stage role was handed to the grant');
    const [test] = Object.entries(
      templateOf('commands-test-environment', Stack.of(built)).findResources('AWS::CodeBuild::Project'),
    ).filter(([id]) => id.startsWith('ReleaseOrchestrator'));
    const text = JSON.stringify(test![1]);
    assert.match(text, /npm run deploy:staging/);
    assert.match(text, /uigate run --executor lambda --base-url/);
    assert.match(text, /"Name":"TEST_SITE_URL","Type":"PLAINTEXT","Value":"https:\/\/staging\.example\.com"/);
  });

  it('promotes and rolls back a function behind an alias: its own target, its own grants, its URL as the smoke alarm’s site', () => {
    const { stack, uigate } = core();
    const live = serviceFunction(stack, 'Live');
    const staging = serviceFunction(stack, 'Staging');
    pipeline({
      uigate,
      testEnvironment: SiteDeployment.lambdaAlias({ alias: staging.alias, directory: 'dist/api', url: staging.url }),
      production: SiteDeployment.lambdaAlias({ alias: live.alias, directory: 'dist/api', url: live.url }),
    });
    const template = templateOf('lambda-alias', stack);
    const project = (prefix: string) =>
      Object.entries(template.findResources('AWS::CodeBuild::Project')).find(([id]) => id.startsWith(prefix))![1];
    // The buildspec is JSON inside the template's JSON: its quotes read as quotes.
    const textOf = (prefix: string) => JSON.stringify(project(prefix)).replace(/\\+"/g, '"');
    const deploy = textOf('ReleaseDeploy');
    assert.match(
      deploy,
      /"Name":"PRODUCTION_TARGET","Type":"PLAINTEXT","Value":\{"Fn::Join":\["",\["lambda:",\{"Ref":"LiveFunction[0-9A-F]+"\},":live"\]\]\}/,
    );
    assert.match(deploy, /promote --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET" --from dist\/api/);
    // The approval is bound to the function's folder, the one promote uploads.
    assert.match(textOf('ReleaseOrchestrator'), /uigate digest dist\/api/);
    // The test environment: uploaded, published bound to that upload, the alias moved.
    assert.match(
      textOf('ReleaseOrchestrator'),
      /update-function-code --function-name .*publish-version --function-name .* --code-sha256 "\$SHA".*update-alias --function-name .* --name "live" --function-version "\$VERSION"/,
    );
    // Each role may change its own function only: the Test stage staging's, Production live's.
    const lambdaResources = (rolePrefix: string) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(rolePrefix))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
        .filter((statement) => JSON.stringify(statement.Action).includes('lambda:UpdateAlias'))
        .map((statement) => statement.Resource);
    const arnOf = (id: RegExp) => {
      const [logical] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((key) => id.test(key));
      return [{ 'Fn::GetAtt': [logical, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logical, 'Arn'] }, ':*']] }];
    };
    assert.deepEqual(lambdaResources('ReleaseDeployRole'), [arnOf(/^LiveFunction/)]);
    assert.deepEqual(lambdaResources('ReleaseOrchestratorRole'), [arnOf(/^StagingFunction/)]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'lambda:GetFunction',
              'lambda:GetFunctionConfiguration',
              'lambda:UpdateFunctionCode',
              'lambda:PublishVersion',
              'lambda:GetAlias',
              'lambda:UpdateAlias',
            ],
          }),
        ]),
      },
    });
    // The smoke metrics are named by the URL's host, known only at deploy time: split there.
    const [urlId] = Object.keys(template.findResources('AWS::Lambda::Url')).filter((id) => id.startsWith('LiveAlias'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SmokeFailures',
      Dimensions: [
        {
          Name: 'Site',
          Value: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [urlId, 'FunctionUrl'] }] }] },
        },
      ],
    });
    assert.deepEqual(
      Object.keys(template.findOutputs('*')).filter((id) => id.includes('ProductionSiteBucket')),
      [],
      'no site bucket for the doctor to drill',
    );
  });

  it('names every named resource after its name, so a second uigate fits in the same account and region', () => {
    const { uigate } = core({ name: 'shop-ui' });
    const built = pipeline({ uigate });
    const template = templateOf('named', Stack.of(built));
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: 'shop-ui' });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'shop-ui-executor' });
    template.hasResourceProperties('AWS::CodeBuild::Project', { Name: 'shop-ui-worker' });
    template.hasResourceProperties('AWS::CodeBuild::ReportGroup', { Name: 'shop-ui-junit' });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'shop-ui-release' });
    // The gate answers that pipeline, and the Test stage runs on that function and project.
    assert.match(JSON.stringify(template.toJSON()), /:shop-ui-release\/Approval\/Approve"/);
    const names = JSON.stringify(template.toJSON());
    for (const fixed of [
      '"uigate-executor"',
      '"uigate-worker"',
      '"uigate-junit"',
      '"uigate-release"',
      '"TableName":"uigate"',
    ])
      assert.ok(!names.includes(fixed), `${fixed} is not left over`);
    assert.throws(
      () => core({ name: 'Shop UI' }),
      /uigate: name must be 3 to 40 letters, digits and hyphens, .* got "Shop UI"/,
    );
  });

  it('deploys production by the team’s commands, keeping each release where nothing expires it', () => {
    const { stack, uigate } = core();
    const granted: string[] = [];
    const built = pipeline({
      uigate,
      production: SiteDeployment.commands({
        commands: ['npx wrangler pages deploy "$UIGATE_RELEASE_DIR"', "echo 'done'"],
        url: 'https://shop.example.com',
        directory: 'dist',
        grant: (grantee) => granted.push(grantee.grantPrincipal.toString()),
        // The team's own CDN in front of what the commands deploy.
        distribution: Distribution.fromDistributionAttributes(stack, 'TeamCdn', {
          distributionId: 'E2QWRUHAPOMQZL',
          domainName: 'd111111abcdef8.cloudfront.net',
        }),
      }),
    });
    assert.ok(granted.length === 1, 'the Deploy role was handed to the grant');
    const template = templateOf('commands-production', stack);
    const [, deploy] = Object.entries(template.findResources('AWS::CodeBuild::Project')).find(([id]) =>
      id.startsWith('ReleaseDeploy'),
    )!;
    const text = JSON.stringify(deploy).replace(/\\+"/g, '"');
    // The commands travel in the environment, as written: no second round of shell quoting.
    assert.match(
      text,
      /"Name":"PRODUCTION_DEPLOY_COMMAND","Type":"PLAINTEXT","Value":"npx wrangler pages deploy "\$UIGATE_RELEASE_DIR" && echo 'done'"/,
    );
    assert.match(text, /"Name":"PRODUCTION_TARGET","Type":"PLAINTEXT","Value":"command:production"/);
    assert.match(
      text,
      /promote --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET" --deploy-command "\$PRODUCTION_DEPLOY_COMMAND" --keep-releases "s3:\/\/\$PRODUCTION_RELEASES" --invalidate "\$PRODUCTION_DISTRIBUTION" --from dist/,
    );
    assert.match(
      text,
      /verify --release "\$UIGATE_RUN_ID" --target .* --keep-releases "s3:\/\/\$PRODUCTION_RELEASES" --invalidate "\$PRODUCTION_DISTRIBUTION" --alarm/,
    );
    assert.match(text, /"Name":"PRODUCTION_DISTRIBUTION","Type":"PLAINTEXT","Value":"E2QWRUHAPOMQZL"/);
    // Its own bucket, without the artifacts bucket's expiry: a rollback may go back months.
    const releasesId = stack.getLogicalId(built.releases!.node.defaultChild as CfnBucket);
    const releases = template.findResources('AWS::S3::Bucket')[releasesId]!;
    assert.doesNotMatch(JSON.stringify(releases.Properties.LifecycleConfiguration), /ExpirationInDays/);
    assert.match(JSON.stringify(releases.Properties.BucketEncryption), /AES256/);
    const deployPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('ReleaseDeployRole'),
    )![1];
    assert.match(JSON.stringify(deployPolicy), new RegExp(`"Fn::GetAtt":\\["${releasesId}","Arn"\\]`));
    // Invalidations of that distribution only.
    const invalidation = (
      deployPolicy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement.find((s) => [s.Action].flat().includes('cloudfront:CreateInvalidation'))!;
    assert.deepEqual([invalidation.Action].flat().sort(), [
      'cloudfront:CreateInvalidation',
      'cloudfront:GetInvalidation',
    ]);
    assert.match(JSON.stringify(invalidation.Resource), /:cloudfront::.*:distribution\/E2QWRUHAPOMQZL"/);
    assert.throws(
      () => SiteDeployment.commands({ commands: ['./deploy.sh'], url: 'https://x.example.com', directory: '../up' }),
      /SiteDeployment\.commands directory must be a folder inside the build/,
    );
  });

  it('offers the bake-and-rollback step on its own, for a pipeline the team built', () => {
    const { stack, uigate } = core();
    const site = new WebSite(stack, 'Live', { comment: 'live', logs: uigate.logs });
    const step = new BakeAndRollback(stack, 'Release', {
      uigate,
      production: SiteDeployment.s3Site(site, 'public'),
      bake: Duration.minutes(30),
    });
    const source = new Artifact('Source');
    new Pipeline(stack, 'TeamPipeline', {
      pipelineType: PipelineType.V2,
      stages: [
        {
          stageName: 'Source',
          actions: [
            new CodeCommitSourceAction({
              actionName: 'Checkout',
              repository: new Repository(stack, 'Repo', { repositoryName: 'shop' }),
              output: source,
            }),
          ],
        },
        { stageName: 'Production', actions: [step.action(source, '#{Tests.UIGATE_RUN_ID}')] },
      ],
    });
    assert.equal(step.directory, 'public');
    const template = templateOf('bake-and-rollback-alone', stack);
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    assert.match(
      JSON.stringify(pipeline).replace(/\\+"/g, '"'),
      /"name":"UIGATE_RUN_ID","type":"PLAINTEXT","value":"#\{Tests.UIGATE_RUN_ID\}"\}\]"\},"InputArtifacts":\[\{"Name":"Source"\}\],"Name":"Deploy"/,
    );
    const text = JSON.stringify(template.findResources('AWS::CodeBuild::Project')).replace(/\\+"/g, '"');
    assert.match(
      text,
      /verify --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET" --invalidate "\$PRODUCTION_DISTRIBUTION" --alarm "\$UIGATE_ALARM_0" --bake 1800s/,
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SmokeFailures', Namespace: 'uigate' });
    assert.throws(
      () =>
        new BakeAndRollback(stack, 'Bad', {
          uigate,
          production: SiteDeployment.s3Site(site, 'dist'),
          bake: Duration.hours(9),
        }),
      /bake must be a whole number from 60 to 28800 seconds, got 32400/,
    );
  });

  it('warns about an alias on currentVersion, which a cdk deploy would move past the gate, and checks the folder', () => {
    const { stack } = core();
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
    });
    const alias = new Alias(stack, 'Current', { aliasName: 'live', version: fn.currentVersion });
    SiteDeployment.lambdaAlias({ alias, directory: 'dist', url: 'https://api.example.com' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('currentVersion'));
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]!.entry.data), /a cdk deploy that changes the code moves it past uigate's gate/);
    const fixed = serviceFunction(stack, 'Fixed');
    SiteDeployment.lambdaAlias({ alias: fixed.alias, directory: 'dist', url: fixed.url });
    assert.equal(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('currentVersion')).length, 1);
    assert.throws(
      () => SiteDeployment.lambdaAlias({ alias: fixed.alias, directory: '/etc', url: fixed.url }),
      /SiteDeployment\.lambdaAlias directory must be a folder inside the build, e\.g\. "dist", got "\/etc"/,
    );
  });

  it("warns at synth where CloudFront would never deliver the sites' logs (a bucket in an opt-in Region it does not serve)", () => {
    const warningsIn = (region: string) => {
      const stack = new Stack(new App(), 'Shop', { env: { account: '111111111111', region } });
      const uigate = new Uigate(stack, 'Uigate', {
        code: Code.fromInline('export const handler = async () => ({});'),
        page: Source.data('index.html', '<!doctype html>'),
        playwrightVersion: '1.64.1',
      });
      new WebSite(stack, 'Live', { comment: 'live', logs: uigate.logs });
      return Annotations.fromStack(stack)
        .findWarning('*', Match.stringLikeRegexp('CloudFront does not deliver standard logs'))
        .map((warning) => warning.id);
    };
    assert.deepEqual(warningsIn('af-south-1').sort(), ['/Shop/Live', '/Shop/Uigate/Status/Site']);
    assert.deepEqual(warningsIn('eu-west-1'), []);
  });

  it("leaves a team's own wildcard grant to cdk-nag: uigate's accepted findings never cover it", () => {
    const { stack, uigate } = core();
    pipeline({
      uigate,
      production: SiteDeployment.commands({
        commands: ['./deploy.sh'],
        url: 'https://shop.example.com',
        directory: 'dist',
        grant: (grantee) =>
          grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] })),
      }),
    });
    Aspects.of(stack.node.scope as App).add(new nag.AwsSolutionsChecks());
    (stack.node.scope as App).synth();
    const iam5 = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-IAM5')),
    ].map(
      (finding) =>
        `${finding.id.split('/').slice(-3, -1).join('/')} ${/^AwsSolutions-IAM5\[[^\]]*\]/.exec(String(finding.entry.data))?.[0]}`,
    );
    // The team's grant, and only it: uigate's own wildcards stay accepted, each with its reason.
    assert.deepEqual(iam5.sort(), [
      'Role/DefaultPolicy AwsSolutions-IAM5[Action::s3:*]',
      'Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
    ]);
  });

  it("watches the pipeline's execution and stage changes, reading the pipeline and writing only its own items", () => {
    const release = pipeline({ approvalReminder: Duration.hours(2) });
    const stack = Stack.of(release);
    Aspects.of(stack.node.scope as App).add(new nag.AwsSolutionsChecks());
    const template = templateOf('pipeline-watcher', stack);
    const pipelineId = stack.getLogicalId(release.pipeline.node.defaultChild as CfnPipeline);
    const functionId = stack.getLogicalId(release.watcher.function.node.defaultChild as CfnFunction);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change', 'CodePipeline Stage Execution State Change'],
        resources: [
          { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':codepipeline:'), { Ref: pipelineId }])] },
        ],
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const fn = template.findResources('AWS::Lambda::Function')[functionId]!;
    assert.equal(fn.Properties.Handler, 'watch.handler');
    const settings = JSON.parse(fn.Properties.Environment.Variables.UIGATE_WATCH as string) as Record<string, unknown>;
    assert.deepEqual(settings.stages, ['Source', 'Build', 'Test', 'Approval', 'Production']);
    assert.deepEqual(settings.reminder, { stage: 'Approval', action: 'Approve', everyMinutes: 120 });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        JSON.stringify(p.Properties.Roles).includes(
          stack.getLogicalId(release.watcher.function.role!.node.defaultChild as CfnRole),
        ),
      )
      .flatMap(
        (p) =>
          p.Properties.PolicyDocument.Statement as {
            Action: string | string[];
            Condition?: unknown;
            Resource: unknown;
          }[],
      );
    const writes = statements.find((st) => [st.Action].flat().includes('dynamodb:PutItem'))!;
    assert.deepEqual(writes.Condition, { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PIPELINE#*'] } });
    const reads = statements.find((st) => [st.Action].flat().includes('codepipeline:GetPipelineExecution'))!;
    assert.match(JSON.stringify(reads.Resource), /:codepipeline:.*:uigate-release"/, 'this pipeline only');
    assert.ok(!statements.some((st) => [st.Action].flat().some((a) => /dynamodb:(Scan|\*)/.test(a))));
    const deletes = statements.filter((st) => [st.Action].flat().includes('dynamodb:DeleteItem'));
    assert.deepEqual(deletes, [writes], 'deletes only its own items');
    const [quietFunction] = Object.values(
      templateOf('pipeline-watcher-quiet', Stack.of(pipeline())).findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'watch.handler' },
      }),
    );
    const quiet = JSON.parse(quietFunction!.Properties.Environment.Variables.UIGATE_WATCH as string) as Record<
      string,
      unknown
    >;
    assert.deepEqual(quiet.stages, settings.stages);
    assert.equal(quiet.reminder, undefined, 'no reminders unless asked for');
    assert.deepEqual(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-')), []);
  });

  it("posts every notification to the team's Slack and Teams channels, from which nothing can be run", () => {
    const { stack, uigate } = core({
      chat: {
        slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCDE' }],
        teams: [
          {
            teamId: '5d6f1b1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
            channelId: '19:abc123@thread.tacv2',
            tenantId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
          },
        ],
      },
    });
    Aspects.of(stack.node.scope as App).add(new nag.AwsSolutionsChecks());
    const template = templateOf('chat-channels', stack);
    const topic = { Ref: stack.getLogicalId(uigate.approvals.node.defaultChild as CfnTopic) };
    const [slack] = Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    const [teams] = Object.values(template.findResources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration'));
    // TeamsChannelId is URL-encoded (cfn-lint holds it to its pattern); the decoded form given is encoded.
    assert.equal(teams!.Properties.TeamsChannelId, '19%3Aabc123%40thread.tacv2');
    for (const channel of [slack!, teams!]) {
      assert.deepEqual(channel.Properties.SnsTopicArns, [topic]);
      // Without a guardrail a channel gets AdministratorAccess; this one denies everything.
      assert.equal(channel.Properties.GuardrailPolicies.length, 1);
    }
    const [guardrail] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p).includes('chat channels may run nothing'),
    );
    assert.deepEqual(guardrail!.Properties.PolicyDocument.Statement, [{ Action: '*', Effect: 'Deny', Resource: '*' }]);
    const roleId = stack.getLogicalId(uigate.chat!.role.node.defaultChild as CfnRole);
    assert.deepEqual(teams!.Properties.IamRoleArn, { 'Fn::GetAtt': [roleId, 'Arn'] });
    const role = template.findResources('AWS::IAM::Role')[roleId]!;
    assert.equal(role.Properties.ManagedPolicyArns, undefined, 'the channel role has no permissions');
    assert.deepEqual(
      Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p.Properties.Roles).includes(roleId),
      ),
      [],
    );
    assert.equal(
      new Uigate(new Stack(new App(), 'Quiet'), 'Uigate', {
        code: Code.fromInline('x'),
        page: Source.data('index.html', 'x'),
        playwrightVersion: '1.64.1',
      }).chat,
      undefined,
    );
    assert.deepEqual(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-')), []);
  });

  it(
    'synthesizes templates cfn-lint finds no error in, and no warning but those listed with their reason',
    { skip: cfnLintMissing() },
    () => {
      assert.ok(
        Object.keys(synthesized).length >= 5,
        `the tests above synthesized ${Object.keys(synthesized).join(', ')}`,
      );
      const findings = cfnLint(synthesized).filter((finding) => !ACCEPTED_LINT.some((accepted) => accepted(finding)));
      assert.deepEqual(
        findings.map((f) => `${f.template}: ${f.level} ${f.rule} ${f.path}: ${f.message}`),
        [],
      );
    },
  );
});

/** A team's function as uigate expects it: its alias on a fixed first version, a function URL on the alias. */
function serviceFunction(scope: Construct, id: string) {
  const fn = new LambdaFunction(scope, `${id}Function`, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
  });
  const alias = new Alias(scope, `${id}Alias`, {
    aliasName: 'live',
    version: new Version(scope, `${id}First`, { lambda: fn }),
  });
  return { alias, url: alias.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM }).url };
}
