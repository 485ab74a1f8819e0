// uigate/cdk as a team uses it: the packed package installed beside aws-cdk-lib in a project
// outside this repository, whose own CDK app builds a release pipeline around a site of its own
// with the exported constructs, and synthesizes. The Lambda package is built from the installed
// uigate at synth time, as in a team's app. The template is read as CloudFormation will get it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
Aspects.of(app).add(new nag.AwsSolutionsChecks());
app.synth();
const findings = [
  ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
].map((f) => f.id + ': ' + String(f.entry.data).split(':')[0]);
writeFileSync('nag-findings.json', JSON.stringify(findings));
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

describe('uigate/cdk in a team’s own CDK app, installed from the packed package', () => {
  let dir: string;
  let project: string;
  let template: { Resources: Record<string, Resource> };
  const of = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

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
    assert.match(spec, /promote --release "\$UIGATE_RUN_ID" --target "s3:\/\/\$PRODUCTION_BUCKET" --from dist$/m);
    assert.match(spec, /verify --release .*--alarm "\$UIGATE_ALARM_0" --alarm "\$UIGATE_ALARM_1" --bake 900s/);
    const variables = JSON.stringify(
      (deploy.Properties.Environment as { EnvironmentVariables: unknown }).EnvironmentVariables,
    );
    const [errorsId] = of('AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('CheckoutErrors'))!;
    assert.match(variables, new RegExp(`"Name":"UIGATE_ALARM_1","Type":"PLAINTEXT","Value":\\{"Ref":"${errorsId}"\\}`));
    const describe = of('AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('ReleaseDeployRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .find((s) => [s.Action].flat().includes('cloudwatch:DescribeAlarms'))!;
    assert.equal([describe.Resource].flat().length, 2, 'the two alarms it watches, no others');
  });

  it('grants "*" only where AWS takes no other resource', () => {
    const wildcard = of('AWS::IAM::Policy').flatMap(([, p]) =>
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
  });

  it('passes cdk-nag AwsSolutions in the team’s stack, accepting findings on uigate’s resources only', async () => {
    assert.deepEqual(JSON.parse(await readFile(join(project, 'nag-findings.json'), 'utf8')), []);
    // The team's own alarm and repository carry no suppression of uigate's.
    for (const [id, resource] of Object.entries(template.Resources))
      if (id.startsWith('CheckoutErrors') || id.startsWith('Repo'))
        assert.equal(resource.Metadata?.cdk_nag, undefined, id);
  });

  it('deploys the Lambda package built from the installed uigate, with Chromium, at synth time', () => {
    const assets = readdirSync(join(project, 'cdk.out')).filter((name) => name.startsWith('asset.'));
    const lambda = assets.find((asset) => existsSync(join(project, 'cdk.out', asset, 'lambda.mjs')));
    assert.ok(lambda, `an asset with the executor's entry point among ${assets.join(', ')}`);
    for (const path of [
      'status.mjs',
      'gate.mjs',
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
});
