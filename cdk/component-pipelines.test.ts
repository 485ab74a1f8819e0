// The component pipelines of a mono-repo, synthesized: one per component, each started by the
// pushes `uigate affected` says touch it — the same table of changes, read through the template's
// trigger filters as CodePipeline documents them (glob patterns; excludes before includes) — and
// CodePipeline's limits refused with the limit named, before anything reaches CloudFormation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Source } from 'aws-cdk-lib/aws-s3-deployment';
import nag from 'cdk-nag';
import { ALWAYS_GLOBAL, type ChangeRules, type Components } from '../runner/config/components.ts';
import { affectedBy } from '../runner/plan/affected.ts';
import { ACCEPTED_LINT } from '../runner/testing/accepted-lint.ts';
import { cfnLint, cfnLintMissing } from '../runner/testing/cfn-lint.ts';
import { PipelineSource, SiteDeployment, Uigate, UigateComponentPipelines, UigatePipeline, WebSite } from './index.ts';

const components: Components = {
  web: { paths: ['apps/web/**'], tests: { grep: '@web' } },
  api: { paths: ['services/api/**', 'packages/prices/**'], tests: { modules: ['api-*'] } },
};
const changes: ChangeRules = { global: ['tests/support/**', ...ALWAYS_GLOBAL], unmapped: 'all' };

const connection = PipelineSource.connection({
  connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/x',
  owner: 'shop',
  repo: 'mono',
});

function synth(
  overrides: Partial<ConstructorParameters<typeof UigateComponentPipelines>[2]> = {},
  { withNag = false, environmentsFor = Object.keys(overrides.components ?? components) } = {},
): { stack: Stack; template: Template } {
  const app = new App();
  const stack = new Stack(app, 'Mono', { env: { account: '111111111111', region: 'eu-west-1' } });
  const uigate = new Uigate(stack, 'Uigate', {
    code: Code.fromInline('export const handler = async () => ({});'),
    page: Source.data('index.html', '<!doctype html>'),
    playwrightVersion: '1.64.1',
  });
  const environments = Object.fromEntries(
    environmentsFor.map((name) => [
      name,
      {
        testEnvironment: SiteDeployment.s3Site(
          new WebSite(stack, `${name}Site`, { comment: name, logs: uigate.logs }),
          `apps/${name}/dist`,
        ),
      },
    ]),
  );
  new UigateComponentPipelines(stack, 'Components', {
    uigate,
    source: connection,
    components,
    changes: { global: ['tests/support/**'], unmapped: 'all' },
    environments,
    ...overrides,
  });
  if (withNag) Aspects.of(app).add(new nag.AwsSolutionsChecks());
  return { stack, template: Template.fromStack(stack) };
}

interface Filter {
  Branches?: { Includes?: string[] };
  FilePaths?: { Includes?: string[]; Excludes?: string[] };
}

/** The pipelines a push of `files` to `branch` starts, by the template's triggers. */
function started(template: Template, files: string[], branch = 'main'): string[] {
  const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
  const glob = (patterns: string[] = []) => picomatch(patterns, { dot: true });
  return Object.values(pipelines)
    .filter((pipeline) =>
      (pipeline.Properties.Triggers as { GitConfiguration: { Push: Filter[] } }[]).some((trigger) =>
        trigger.GitConfiguration.Push.some((filter) => {
          const include = glob(filter.FilePaths?.Includes);
          const exclude = glob(filter.FilePaths?.Excludes);
          return glob(filter.Branches?.Includes)(branch) && files.some((file) => include(file) && !exclude(file));
        }),
      ),
    )
    .map((pipeline) => String(pipeline.Properties.Name).replace(/^uigate-/, ''))
    .sort();
}

describe('UigateComponentPipelines', () => {
  const { template } = synth();

  it('makes one V2 pipeline per component, every push queued, each building, deploying and running uigate run --changed', () => {
    const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    assert.deepEqual(pipelines.map((p) => p.Properties.Name).sort(), ['uigate-api', 'uigate-web']);
    for (const pipeline of pipelines) {
      assert.equal(pipeline.Properties.PipelineType, 'V2');
      assert.equal(pipeline.Properties.ExecutionMode, 'QUEUED');
      assert.deepEqual(
        pipeline.Properties.Stages.map((stage: { Name: string }) => stage.Name),
        ['Source', 'Test'],
      );
    }
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((project) => specText(project.Properties.Source.BuildSpec))
      .filter((spec) => spec.includes('--changed'));
    assert.equal(specs.length, 2);
    for (const spec of specs) {
      const commands = JSON.parse(spec).phases.build.commands as string[];
      const run = commands.findIndex((command) => command.includes('uigate run '));
      assert.match(commands[run]!, /uigate run --executor codebuild --executor lambda --changed --base-url/);
      assert.ok(commands.indexOf('npm run build --if-present') < run, 'built before the run');
      assert.ok(
        commands.some((command, i) => i < run && command.startsWith('aws s3 sync')),
        'deployed before the run',
      );
      assert.doesNotMatch(commands[run]!, /\|\|/, 'a failed test fails the pipeline: no gate follows');
    }
  });

  // The table of `runner/plan/affected.test.ts`, as pushes: the pipelines started are the components affected names.
  for (const [name, files] of [
    ['one component changed', ['apps/web/src/page.tsx']],
    ['two components changed', ['apps/web/src/page.tsx', 'packages/prices/index.ts']],
    ['a global file', ['package-lock.json']],
    ['shared test support', ['tests/support/login.ts']],
    ['a file no component owns', ['docs/handbook.md']],
    ['a rename across components', ['apps/web/src/price.ts', 'services/api/src/price.ts']],
    ['a dotfile no component owns', ['.github/workflows/ci.yml']],
  ] as const) {
    it(`starts the pipelines of the components uigate affected names: ${name}`, () => {
      const affected = affectedBy(files, components, changes);
      const expected = affected.wholeSuite ? Object.keys(components) : affected.components;
      assert.deepEqual(started(template, [...files]), [...expected].sort(), affected.reason);
    });
  }

  it('starts none for a push to another branch, and none for files no component owns when those are ignored', () => {
    assert.deepEqual(started(template, ['apps/web/src/page.tsx'], 'feature/x'), []);
    const { template: ignoring } = synth({ changes: { global: ['tests/support/**'], unmapped: 'ignore' } });
    assert.deepEqual(started(ignoring, ['docs/handbook.md']), []);
    assert.deepEqual(affectedBy(['docs/handbook.md'], components, { ...changes, unmapped: 'ignore' }).components, []);
    assert.deepEqual(started(ignoring, ['apps/web/x.ts'], 'release'), []);
    const { template: branches } = synth({ branches: ['main', 'release/*'] });
    assert.deepEqual(started(branches, ['apps/web/x.ts'], 'release/2026-12'), ['web']);
  });

  it('splits a component’s patterns into filters of 8, and refuses more than CodePipeline takes with the limit named', () => {
    const many = (n: number) => ({ paths: Array.from({ length: n }, (_, i) => `apps/web/part${i}/**`) });
    const { template: split } = synth({ components: { web: many(12) }, changes: { unmapped: 'ignore' } });
    const [pipeline] = Object.values(split.findResources('AWS::CodePipeline::Pipeline'));
    const filters = pipeline!.Properties.Triggers[0].GitConfiguration.Push as Filter[];
    assert.deepEqual(
      filters.map((filter) => filter.FilePaths!.Includes!.length),
      [8, 8, 2],
    );
    const support = Array.from({ length: 10 }, (_, i) => `tests/support${i}/**`);
    assert.throws(
      () => synth({ components: { web: many(8) }, changes: { global: support, unmapped: 'all' } }),
      /component web needs 4 push filters \(24 file-path patterns .* and one for files no component owns\), but a CodePipeline trigger takes at most 3/,
    );
    assert.throws(
      () => synth({ components: { web: many(9) }, changes: { unmapped: 'all' } }),
      /the components own 9 path patterns, but a trigger for files no component owns can exclude at most 8: .* changes\.unmapped: 'ignore'/,
    );
  });

  it('refuses a CodeCommit source, a component without an environment and an environment without a component, saying why', () => {
    assert.throws(() => {
      const stack = new Stack(new App(), 'Cc');
      synthInto(stack, PipelineSource.codeCommit(Repository.fromRepositoryName(stack, 'Repo', 'mono')));
    }, /needs PipelineSource\.connection\(\.\.\.\): CodePipeline filters pushes by file path only for CodeConnections sources/);
    assert.throws(
      () => synth({ environments: {} }),
      /environments\.web is missing: each component needs the environment/,
    );
    assert.throws(
      () => synth({ components: { web: components.web! } }, { environmentsFor: ['web', 'api'] }),
      /environments\.api names no component \(components: web\)/,
    );
  });

  it('leaves the promotion to UigatePipeline, started by a pushed release tag when asked', () => {
    const stack = new Stack(new App(), 'Promote');
    const uigate = new Uigate(stack, 'Uigate', {
      code: Code.fromInline('export const handler = async () => ({});'),
      page: Source.data('index.html', '<!doctype html>'),
      playwrightVersion: '1.64.1',
    });
    const site = (id: string) =>
      SiteDeployment.s3Site(new WebSite(stack, id, { comment: id, logs: uigate.logs, versioned: true }), 'dist');
    const release = (id: string, source: PipelineSource, releaseTags?: string[]) =>
      new UigatePipeline(stack, id, {
        uigate,
        source,
        releaseTags,
        testEnvironment: site(`${id}Staging`),
        production: site(`${id}Live`),
      });
    const tagged = release('Tagged', connection, ['release-*']);
    const every = release('Every', connection);
    const triggers = (pipeline: UigatePipeline) =>
      stack.resolve((pipeline.pipeline.node.defaultChild as unknown as { triggers?: unknown }).triggers);
    assert.deepEqual(JSON.parse(JSON.stringify(triggers(tagged))), [
      {
        gitConfiguration: { push: [{ tags: { includes: ['release-*'] } }], sourceActionName: 'Checkout' },
        providerType: 'CodeStarSourceConnection',
      },
    ]);
    assert.equal(triggers(every), undefined, 'without releaseTags: every push to the branch, as before');
    assert.throws(
      () =>
        release('Cc', PipelineSource.codeCommit(Repository.fromRepositoryName(stack, 'Repo', 'mono')), ['release-*']),
      /releaseTags needs PipelineSource\.connection/,
    );
  });

  it('passes cdk-nag AwsSolutions and cfn-lint', { skip: cfnLintMissing() }, () => {
    const { stack } = synth({}, { withNag: true });
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((finding) => `${finding.id}: ${String(finding.entry.data).slice(0, 160)}`);
    assert.deepEqual(findings, []);
    const lint = cfnLint({ mono: template.toJSON() }, 'eu-west-1').filter(
      (finding) => !ACCEPTED_LINT.some((accepted) => accepted(finding)),
    );
    assert.deepEqual(lint, []);
  });
});

/** A buildspec as text, its references to the stack's resources as REF. */
function specText(spec: string | { 'Fn::Join'?: [string, unknown[]] } | undefined): string {
  if (typeof spec === 'string' || spec === undefined) return spec ?? '';
  return (spec['Fn::Join']?.[1] ?? []).map((part) => (typeof part === 'string' ? part : 'REF')).join('');
}

function synthInto(stack: Stack, source: PipelineSource): void {
  const uigate = new Uigate(stack, 'Uigate', {
    code: Code.fromInline('export const handler = async () => ({});'),
    page: Source.data('index.html', '<!doctype html>'),
    playwrightVersion: '1.64.1',
  });
  const site = new WebSite(stack, 'Site', { comment: 'web', logs: uigate.logs });
  new UigateComponentPipelines(stack, 'Components', {
    uigate,
    source,
    components: { web: components.web! },
    environments: { web: { testEnvironment: SiteDeployment.s3Site(site, 'apps/web/dist') } },
  });
}
