// The mono-repo's pipelines, from the same uigate.config.mjs the tests use:
// - one pipeline per component for its lower environment, started only by pushes that touch it,
//   running the tests its change needs (UigateComponentPipelines);
// - one pipeline that promotes to production, on the whole suite, behind the gate and an
//   approval, baked and rolled back on alarm (UigatePipeline).
// Context (cdk.json or -c): connectionArn, owner, repo, branch.
import { App, Stack } from 'aws-cdk-lib';
import { PipelineSource, SiteDeployment, Uigate, UigateComponentPipelines, UigatePipeline, WebSite } from 'uigate/cdk';
import config from '../uigate.config.mjs';

const app = new App();
const context = (name, fallback) => app.node.tryGetContext(name) ?? fallback;
const stack = new Stack(app, 'MonoShop');

const source = PipelineSource.connection({
  connectionArn: context('connectionArn', 'arn:aws:codeconnections:us-east-1:111111111111:connection/replace-me'),
  owner: context('owner', 'your-org'),
  repo: context('repo', 'mono-shop'),
  branch: context('branch', 'main'),
});

// The results store, the executors, the status site and the gate: one for every pipeline, so a
// component's passing run is what its next `--changed` run compares with, and the approval sees them all.
const uigate = new Uigate(stack, 'Uigate', {
  name: 'mono-shop',
  approval: { approvers: [context('approver', 'arn:aws:sts::111111111111:assumed-role/ReleaseManager/*')] },
});
const site = (id, versioned = false) =>
  new WebSite(stack, id, { comment: `mono-shop ${id}`, logs: uigate.logs, versioned });

// Lower environments: each component's own staging site, deployed from the component's pipeline.
new UigateComponentPipelines(stack, 'Components', {
  uigate,
  source,
  components: config.components,
  changes: config.changes,
  buildCommands: ['npm ci --no-audit --no-fund', 'npm run build'],
  environments: {
    web: { testEnvironment: SiteDeployment.s3Site(site('WebStaging'), 'dist') },
    checkout: { testEnvironment: SiteDeployment.s3Site(site('CheckoutStaging'), 'dist') },
  },
});

// The one promotion, started by a pushed release tag (git tag release-2026-12-07 && git push --tags):
// the whole suite against the release staging site; the gate refuses a narrowed run, so only a
// whole-suite pass reaches the approval. Without releaseTags, every push to main starts it.
new UigatePipeline(stack, 'Release', {
  uigate,
  source,
  releaseTags: ['release-*'],
  buildCommands: ['npm ci --no-audit --no-fund', 'npm run build'],
  testEnvironment: SiteDeployment.s3Site(site('ReleaseStaging'), 'dist'),
  production: SiteDeployment.s3Site(site('Production', true), 'dist'),
});

app.synth();
