// The CDK app: `npx cdk synth` (offline) and `npx cdk deploy` from infra/.
// Context (cdk.json or -c): connectionArn, owner, repo, branch.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Aspects } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import nag from 'cdk-nag';
import { loadConfig } from '../runner/config/config.ts';
import { buildLambdaPackage } from '../scripts/build-lambda.ts';
import { UigateStack } from './uigate-stack.ts';
import { writeSite } from '../status-site/hosting/build.ts';
import { Source } from 'aws-cdk-lib/aws-s3-deployment';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const app = new App();
const context = (name: string, fallback?: string) => (app.node.tryGetContext(name) as string | undefined) ?? fallback;

const zip = `${REPO}dist/lambda/uigate-lambda.zip`;
if (!existsSync(zip)) await buildLambdaPackage();
const page = `${REPO}status-site/dist`;
if (!existsSync(`${page}/index.html`)) await writeSite(page);
// The gate policy and approval rules come from the project's own uigate.config.ts.
const { gate, approval } = await loadConfig(REPO);
const playwrightVersion = (
  JSON.parse(readFileSync(`${REPO}node_modules/@playwright/test/package.json`, 'utf8')) as { version: string }
).version;

new UigateStack(app, 'Uigate', {
  description:
    'uigate: cross-browser UI tests fanned out to Lambda and CodeBuild, results in DynamoDB, a release pipeline gated on them',
  source: {
    connectionArn: context('connectionArn', 'arn:aws:codeconnections:us-east-1:111111111111:connection/replace-me')!,
    owner: context('owner', 'your-org')!,
    repo: context('repo', 'your-app')!,
    branch: context('branch', 'main'),
  },
  code: Code.fromAsset(zip),
  page: Source.asset(page),
  playwrightVersion,
  uigateConfig: {
    gate,
    approval: {
      approvers: approval.approvers,
      overriders: approval.overriders,
      requiredApprovals: approval.requiredApprovals,
      expiresAfterHours: approval.expiresAfterHours,
      authorMayApprove: approval.authorMayApprove,
      personRoles: [...approval.personRoles],
    },
  },
});
Aspects.of(app).add(new nag.AwsSolutionsChecks({ verbose: true }));
app.synth();
