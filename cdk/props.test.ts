// Props are checked as CDK's own constructs check theirs: at synth, one error naming the prop, the
// value and what is accepted — before anything reaches CloudFormation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Source } from 'aws-cdk-lib/aws-s3-deployment';
import { PipelineSource, SiteDeployment, Uigate, UigatePipeline, WebSite, type UigatePipelineProps } from './index.ts';

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
  const { stack, uigate } = core();
  const site = new WebSite(stack, 'Live', { comment: 'live', logs: uigate.logs, versioned: true });
  return new UigatePipeline(stack, 'Release', {
    uigate,
    source: PipelineSource.connection({
      connectionArn: 'arn:aws:codeconnections:eu-west-1:1:connection/x',
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

  it('refuses empty lists, a production it could not roll back and a folder outside the build', () => {
    assert.throws(
      () => pipeline({ executors: [] }),
      /executors must name at least one, e.g. \['codebuild', 'lambda'\]; got \[\]/,
    );
    assert.throws(() => pipeline({ buildCommands: [] }), /buildCommands must name at least one/);
    assert.throws(
      () =>
        pipeline({ production: SiteDeployment.commands({ commands: ['./deploy.sh'], url: 'https://example.com' }) }),
      /production must be SiteDeployment\.s3Site\(site, directory\)/,
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
    const [test] = Object.entries(Template.fromStack(Stack.of(built)).findResources('AWS::CodeBuild::Project')).filter(
      ([id]) => id.startsWith('ReleaseOrchestrator'),
    );
    const text = JSON.stringify(test![1]);
    assert.match(text, /npm run deploy:staging/);
    assert.match(text, /uigate run --executor lambda --base-url/);
    assert.match(text, /"Name":"TEST_SITE_URL","Type":"PLAINTEXT","Value":"https:\/\/staging\.example\.com"/);
  });
});
