// uigate/cdk as a team uses it: the packed package installed beside aws-cdk-lib in a project
// outside this repository, whose own CDK app builds a release pipeline around a site of its own
// with the exported constructs, and synthesizes. The Lambda package is built from the installed
// uigate at synth time, as in a team's app. The template is read as CloudFormation will get it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import picomatch from 'picomatch';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO } from '../runner/testing/fixture-project.ts';
import { packUigate } from '../runner/testing/packed.ts';

const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const version = (name: string) => manifest.devDependencies[name]!;

// The team's own CDK app: plain JavaScript, nothing of this repository's but the package.
const APP = `import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { Alias, Code, Function, FunctionUrlAuthType, Runtime, Version } from 'aws-cdk-lib/aws-lambda';
import { Aspects } from 'aws-cdk-lib';
import { writeFileSync } from 'node:fs';
import nag from 'cdk-nag';
import { PipelineSource, SiteDeployment, Uigate, UigatePipeline, WebSite } from 'uigate/cdk';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Shop');
const uigate = new Uigate(stack, 'Uigate', {
  approval: { approvers: ['arn:aws:sts::111111111111:assumed-role/ReleaseManager/*'], requiredApprovals: 2 },
});
const site = (id) => new WebSite(stack, id, { comment: 'shop ' + id, logs: uigate.logs, versioned: true });
const errors = new Alarm(stack, 'CheckoutErrors', {
  metric: new Metric({ namespace: 'Shop', metricName: 'CheckoutErrors', statistic: 'Sum', period: Duration.minutes(1) }),
  threshold: 1,
  evaluationPeriods: 1,
});
new UigatePipeline(stack, 'Release', {
  uigate,
  source: PipelineSource.codeCommit(new Repository(stack, 'Repo', { repositoryName: 'shop' }), 'trunk'),
  buildCommands: ['npm ci', 'npm run build'],
  testEnvironment: SiteDeployment.s3Site(site('Staging'), 'dist'),
  production: SiteDeployment.s3Site(site('Live'), 'dist'),
  alarms: [errors],
  bake: Duration.minutes(15),
});

// Another team's service, in the same account: production is a function behind an alias.
const api = new Stack(app, 'Api');
const apiGate = new Uigate(api, 'Uigate', { name: 'api-uigate' });
const service = (id) => {
  const fn = new Function(api, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "first" })'),
  });
  const alias = new Alias(api, id + 'Alias', { aliasName: 'live', version: new Version(api, id + 'First', { lambda: fn }) });
  return { alias, url: alias.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url };
};
const [staging, live] = [service('StagingApi'), service('LiveApi')];
new UigatePipeline(api, 'Release', {
  uigate: apiGate,
  source: PipelineSource.connection({ connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc', owner: 'team', repo: 'api' }),
  testEnvironment: SiteDeployment.lambdaAlias({ ...staging, directory: 'dist/api' }),
  production: SiteDeployment.lambdaAlias({ ...live, directory: 'dist/api' }),
});

Aspects.of(app).add(new nag.AwsSolutionsChecks());
app.synth();
const findingsOf = (of, ours) =>
  [
    ...Annotations.fromStack(of).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(of).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ]
    .filter((f) => ours(f.id))
    .map((f) => f.id + ': ' + String(f.entry.data).split(':')[0]);
writeFileSync(
  'nag-findings.json',
  JSON.stringify({
    shop: findingsOf(stack, () => true),
    // The team's own functions keep their own findings; uigate's resources none.
    api: findingsOf(api, (id) => !['/Api/StagingApi', '/Api/LiveApi'].some((team) => id.startsWith(team))),
  }),
);
`;

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

/** A project's build commands, with each CloudFormation reference in them read as TOKEN. */
function commandsOf(project: Resource): string[] {
  const spec = (project.Properties.Source as { BuildSpec: unknown }).BuildSpec;
  const text =
    typeof spec === 'string'
      ? spec
      : (spec as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
          .join('');
  return (JSON.parse(text) as { phases: { build: { commands: string[] } } }).phases.build.commands;
}
type Statement = { Action: string | string[]; Resource?: unknown };
type Template = { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };

describe('uigate/cdk in a team’s own CDK app, installed from the packed package', () => {
  let dir: string;
  let project: string;
  let template: Template;
  let apiTemplate: Template;
  const of = (type: string, from = template) => Object.entries(from.Resources).filter(([, r]) => r.Type === type);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-cdk-user-'));
    project = join(dir, 'shop');
    const tarball = await packUigate(dir);
    await mkdir(join(project, 'infra'), { recursive: true });
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'shop', version: '1.0.0', private: true, type: 'module' }, null, 2),
    );
    await writeFile(join(project, 'infra', 'app.js'), APP);
    execFileSync(
      'npm',
      [
        'install',
        '-D',
        `aws-cdk-lib@${version('aws-cdk-lib')}`,
        `constructs@${version('constructs')}`,
        `cdk-nag@${version('cdk-nag')}`,
        `@playwright/test@${version('@playwright/test')}`,
        tarball,
        ...['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      ],
      { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const synth = spawnSync(process.execPath, ['infra/app.js'], { cwd: project, encoding: 'utf8' });
    assert.equal(synth.status, 0, synth.stderr.slice(-3000));
    template = JSON.parse(await readFile(join(project, 'cdk.out', 'Shop.template.json'), 'utf8'));
    apiTemplate = JSON.parse(await readFile(join(project, 'cdk.out', 'Api.template.json'), 'utf8'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('builds a V2 pipeline from the team’s source, build, test environment and production', () => {
    const [, pipeline] = of('AWS::CodePipeline::Pipeline')[0]!;
    const stages = pipeline!.Properties.Stages as {
      Name: string;
      Actions: { ActionTypeId: { Provider: string }; Configuration?: Record<string, unknown> }[];
    }[];
    assert.equal(pipeline!.Properties.PipelineType, 'V2');
    assert.deepEqual(
      stages.map((stage) => `${stage.Name}:${stage.Actions.map((a) => a.ActionTypeId.Provider).join(',')}`),
      ['Source:CodeCommit', 'Build:CodeBuild', 'Test:CodeBuild', 'Approval:Manual', 'Production:CodeBuild'],
    );
    assert.equal(stages[0]!.Actions[0]!.Configuration!.BranchName, 'trunk');
    const specs = of('AWS::CodeBuild::Project').map(([, p]) => commandsOf(p).join('\n'));
    assert.ok(specs.includes('npm ci\nnpm run build'), 'the team’s build commands');
    const test = specs.find((spec) => spec.includes('uigate run'))!;
    assert.match(
      test,
      /^aws s3 sync "dist" "s3:\/\/TOKEN\/" --delete$/m,
      'the build’s dist folder goes to the test site',
    );
    assert.match(test, /uigate digest dist/, 'the approval is bound to the folder production gets');
  });

  it('enters the Approval stage only through the gate policy function', () => {
    const [, pipeline] = of('AWS::CodePipeline::Pipeline')[0]!;
    const approval = (pipeline!.Properties.Stages as { Name: string; BeforeEntry?: unknown }[]).find(
      (stage) => stage.Name === 'Approval',
    )!;
    const rule = JSON.stringify(approval.BeforeEntry);
    assert.match(rule, /"Provider":"LambdaInvoke"/);
    assert.match(rule, /"Result":"FAIL"/);
    assert.match(rule, /UigateGatePolicy/);
  });

  it('bakes production watching uigate’s smoke alarm and the team’s own, and rolls back on either', () => {
    const deploy = of('AWS::CodeBuild::Project').find(([id]) => id.startsWith('ReleaseDeploy'))![1];
    const spec = commandsOf(deploy).join('\n');
    assert.match(
      spec,
      /promote --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET" --invalidate "\$PRODUCTION_DISTRIBUTION" --from dist$/m,
    );
    assert.match(spec, /verify --release .*--alarm "\$UIGATE_ALARM_0" --alarm "\$UIGATE_ALARM_1" --bake 900s/);
    const variables = JSON.stringify(
      (deploy.Properties.Environment as { EnvironmentVariables: unknown }).EnvironmentVariables,
    );
    assert.match(
      variables,
      /"Name":"PRODUCTION_TARGET","Type":"PLAINTEXT","Value":\{"Fn::Join":\["",\["s3:\/\/",\{"Ref":"LiveContentBucket[0-9A-F]+"\}\]\]\}/,
    );
    const [cdnId] = of('AWS::CloudFront::Distribution').find(([id]) => id.startsWith('LiveDistribution'))!;
    assert.match(
      variables,
      new RegExp(`"Name":"PRODUCTION_DISTRIBUTION","Type":"PLAINTEXT","Value":\\{"Ref":"${cdnId}"\\}`),
    );
    const [errorsId] = of('AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('CheckoutErrors'))!;
    assert.match(variables, new RegExp(`"Name":"UIGATE_ALARM_1","Type":"PLAINTEXT","Value":\\{"Ref":"${errorsId}"\\}`));
    const describe = of('AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('ReleaseDeployRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .find((s) => [s.Action].flat().includes('cloudwatch:DescribeAlarms'))!;
    assert.equal([describe.Resource].flat().length, 2, 'the two alarms it watches, no others');
    // What happens to the release is told on uigate's topic, which email and chat channels subscribe to.
    const [topicId] = of('AWS::SNS::Topic')[0]!;
    assert.match(
      variables,
      new RegExp(`"Name":"UIGATE_SNS_TOPIC","Type":"PLAINTEXT","Value":\\{"Ref":"${topicId}"\\}`),
    );
    assert.match(variables, /"Name":"UIGATE_STATUS_URL"/);
    const deployStatements = of('AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('ReleaseDeployRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const publish = deployStatements.find((s) => [s.Action].flat().includes('sns:Publish'))!;
    assert.deepEqual(publish.Resource, { Ref: topicId }, 'that topic only');
    assert.ok(
      deployStatements.some((s) => [s.Action].flat().includes('kms:GenerateDataKey*')),
      'and the key that encrypts it',
    );
  });

  it('grants "*" only where AWS takes no other resource', () => {
    for (const from of [template, apiTemplate]) {
      const wildcard = of('AWS::IAM::Policy', from).flatMap(([, p]) =>
        (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) =>
          [s.Resource].flat().includes('*'),
        ).flatMap((s) => [s.Action].flat()),
      );
      assert.deepEqual(wildcard.sort(), [
        'cloudwatch:GetMetricData',
        'cloudwatch:PutMetricData',
        'codepipeline:GetJobDetails',
        'codepipeline:PutJobFailureResult',
        'codepipeline:PutJobSuccessResult',
      ]);
    }
  });

  it('passes cdk-nag AwsSolutions in the team’s stack, accepting findings on uigate’s resources only', async () => {
    assert.deepEqual(JSON.parse(await readFile(join(project, 'nag-findings.json'), 'utf8')), { shop: [], api: [] });
    // The team's own alarm and repository carry no suppression of uigate's.
    for (const [id, resource] of Object.entries(template.Resources))
      if (id.startsWith('CheckoutErrors') || id.startsWith('Repo'))
        assert.equal(resource.Metadata?.cdk_nag, undefined, id);
  });

  it('promotes and rolls back a service behind a Lambda alias, each stage changing its own function only', () => {
    const projects = of('AWS::CodeBuild::Project', apiTemplate);
    const [, deploy] = projects.find(([id]) => id.startsWith('ReleaseDeploy'))!;
    const [, test] = projects.find(([id]) => id.startsWith('ReleaseOrchestrator'))!;
    const functionId = (prefix: string) =>
      of('AWS::Lambda::Function', apiTemplate).find(([id]) => id.startsWith(prefix))![0];
    const [live, staging] = [functionId('LiveApi'), functionId('StagingApi')];
    assert.match(
      JSON.stringify(deploy.Properties.Environment),
      new RegExp(
        `"Name":"PRODUCTION_TARGET","Type":"PLAINTEXT","Value":\\{"Fn::Join":\\["",\\["lambda:",\\{"Ref":"${live}"\\},":live"\\]\\]\\}`,
      ),
    );
    assert.match(
      commandsOf(deploy).join('\n'),
      /promote --release "\$UIGATE_RUN_ID" --target "\$PRODUCTION_TARGET" --from dist\/api$/m,
    );
    const testCommands = commandsOf(test).join('\n');
    assert.match(testCommands, /uigate digest dist\/api/, 'the approval is bound to the function’s folder');
    assert.match(
      testCommands,
      /update-function-code --function-name "TOKEN" --zip-file fileb:\/\/\/tmp\/uigate-function\.zip/,
    );
    const lambdaGrants = (role: string) =>
      of('AWS::IAM::Policy', apiTemplate)
        .filter(([id]) => id.startsWith(role))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((s) => [s.Action].flat().some((action) => action.startsWith('lambda:Update')))
        .map((s) => s.Resource);
    const arns = (id: string) => [
      { 'Fn::GetAtt': [id, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, ':*']] },
    ];
    assert.deepEqual(lambdaGrants('ReleaseDeployRole'), [arns(live)]);
    assert.deepEqual(lambdaGrants('ReleaseOrchestratorRole'), [arns(staging)]);
    const outputs = Object.keys(apiTemplate.Outputs);
    assert.ok(!outputs.some((id) => id.includes('ProductionSiteBucket')), 'no site for the doctor’s drill');
    assert.match(
      JSON.stringify(apiTemplate.Outputs[outputs.find((id) => id.includes('ProductionSiteUrl'))!]),
      /LiveApiAlias.*FunctionUrl/,
    );
  });

  it('loads in a CommonJS CDK app, as `cdk init app --language typescript` makes one', async () => {
    // require() of an ES module works only when nothing it imports has a top-level await.
    await writeFile(
      join(project, 'infra', 'commonjs-app.cjs'),
      `const { App, Stack } = require('aws-cdk-lib');
const { PipelineSource, SiteDeployment, Uigate, UigatePipeline, WebSite } = require('uigate/cdk');
const app = new App({ outdir: 'cdk.cjs.out' });
const stack = new Stack(app, 'Shop');
const uigate = new Uigate(stack, 'Uigate', {});
const site = (id) => new WebSite(stack, id, { comment: id, logs: uigate.logs });
new UigatePipeline(stack, 'Release', {
  uigate,
  source: PipelineSource.connection({ connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc', owner: 'acme', repo: 'shop' }),
  testEnvironment: SiteDeployment.s3Site(site('Staging'), 'dist'),
  production: SiteDeployment.s3Site(site('Live'), 'dist'),
});
app.synth();
`,
    );
    const synth = spawnSync(process.execPath, ['infra/commonjs-app.cjs'], { cwd: project, encoding: 'utf8' });
    assert.equal(synth.status, 0, synth.stderr.slice(-3000));
    const synthesized = JSON.parse(
      await readFile(join(project, 'cdk.cjs.out', 'Shop.template.json'), 'utf8'),
    ) as Template;
    assert.equal(of('AWS::CodePipeline::Pipeline', synthesized).length, 1);
  });

  it('deploys the Lambda package built from the installed uigate, with Chromium, at synth time', () => {
    const assets = readdirSync(join(project, 'cdk.out')).filter((name) => name.startsWith('asset.'));
    const lambda = assets.find((asset) => existsSync(join(project, 'cdk.out', asset, 'lambda.mjs')));
    assert.ok(lambda, `an asset with the executor's entry point among ${assets.join(', ')}`);
    for (const path of [
      'status.mjs',
      'gate.mjs',
      'watch.mjs',
      'node_modules/@sparticuz/chromium/package.json',
      'node_modules/uigate/dist/runner/lambda/handler.js',
    ])
      assert.ok(existsSync(join(project, 'cdk.out', lambda, path)), path);
    assert.ok(existsSync(join(project, 'node_modules', '.cache', 'uigate-lambda')), 'kept for the next synth');
    const [, executor] = of('AWS::Lambda::Function').find(([id]) => id.startsWith('UigateExecutorsLambdaExecutor'))!;
    assert.match(JSON.stringify(executor.Properties.Code), new RegExp(lambda.replace('asset.', '')));
    const [, worker] = of('AWS::CodeBuild::Project').find(([id]) => id.startsWith('UigateExecutorsWorker'))!;
    assert.match(
      JSON.stringify(worker.Properties.Environment),
      new RegExp(`playwright:v${version('@playwright/test')}-noble`),
    );
  });

  it('synthesizes the mono-repo example: a pipeline per component started by what uigate affected names, and one promotion', async () => {
    const mono = join(dir, 'mono-shop');
    await cp(join(REPO, 'examples', 'mono-repo'), mono, { recursive: true });
    await symlink(join(project, 'node_modules'), join(mono, 'node_modules'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: mono, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '--allow-empty', '-m', 'empty');
    await writeFile(join(mono, '.gitignore'), 'node_modules\ncdk.out\n');
    git('add', '-A');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '-m', 'the example');
    const synth = spawnSync(process.execPath, ['infra/app.mjs'], {
      cwd: mono,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: 'cdk.out' },
    });
    assert.equal(synth.status, 0, synth.stderr.slice(-3000));
    const synthesized = JSON.parse(await readFile(join(mono, 'cdk.out', 'MonoShop.template.json'), 'utf8')) as Template;
    const pipelines = of('AWS::CodePipeline::Pipeline', synthesized).map(([, p]) => p.Properties);
    assert.deepEqual(pipelines.map((p) => p.Name).sort(), ['mono-shop-checkout', 'mono-shop-release', 'mono-shop-web']);
    const release = pipelines.find((p) => p.Name === 'mono-shop-release')!;
    assert.deepEqual(
      JSON.stringify(release.Triggers),
      JSON.stringify([
        {
          GitConfiguration: { Push: [{ Tags: { Includes: ['release-*'] } }], SourceActionName: 'Checkout' },
          ProviderType: 'CodeStarSourceConnection',
        },
      ]),
    );

    // A change to the checkout, as uigate affected sees it in the example's own repository…
    git('checkout', '-q', '-b', 'cheaper-tea');
    await writeFile(join(mono, 'apps', 'checkout', 'public', 'index.html'), '<!doctype html><title>Checkout</title>\n');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '-am', 'checkout');
    const affected = spawnSync(
      process.execPath,
      [join(mono, 'node_modules', 'uigate', 'bin', 'uigate.js'), 'affected', '--base', 'main', '--json'],
      { cwd: mono, encoding: 'utf8' },
    );
    assert.equal(affected.status, 0, affected.stderr);
    const said = JSON.parse(affected.stdout) as { files: string[]; components: string[]; wholeSuite: boolean };
    assert.deepEqual(said.components, ['checkout']);
    // …starts the pipeline of that component alone.
    const started = pipelines
      .filter((p) =>
        (
          (p.Triggers ?? []) as {
            GitConfiguration: {
              Push: { Branches?: { Includes: string[] }; FilePaths?: { Includes?: string[]; Excludes?: string[] } }[];
            };
          }[]
        ).some((trigger) =>
          trigger.GitConfiguration.Push.some(
            (filter) =>
              filter.Branches?.Includes.includes('main') &&
              said.files.some(
                (file) =>
                  picomatch.isMatch(file, filter.FilePaths?.Includes ?? [], { dot: true }) &&
                  !picomatch.isMatch(file, filter.FilePaths?.Excludes ?? [], { dot: true }),
              ),
          ),
        ),
      )
      .map((p) => p.Name);
    assert.deepEqual(started, ['mono-shop-checkout']);
  });
});
