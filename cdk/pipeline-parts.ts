// What the release pipeline and the component pipelines share: the build image, the commands that
// hand the commit's source to the workers and run `uigate run`, the orchestrator's environment,
// its JUnit reports and the source's variables it records.
import { LinuxBuildImage, type BuildEnvironmentVariable, type PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import type { SiteDeployment } from './deployment.ts';
import type { BoundSource } from './pipeline-source.ts';
import type { Uigate } from './uigate.ts';
import { ENV } from '../runner/core/env.ts';

export type PipelineExecutor = 'codebuild' | 'lambda';

export const NODE_IMAGE = LinuxBuildImage.STANDARD_7_0;
export const DEFAULT_BUILD = ['npm ci --no-audit --no-fund', 'npm run build --if-present'];

/** What every uigate pipeline is: V2, its artifacts in uigate's bucket, one account, not restarted by a deploy. */
export const pipelineBasics = (uigate: Uigate) => ({
  pipelineType: PipelineType.V2,
  artifactBucket: uigate.pipelineArtifacts,
  crossAccountKeys: false,
  restartExecutionOnUpdate: false,
});

/** The commit's source for the workers, as a zip: see sourceForWorkers. */
const SOURCE_ZIP =
  'rm -f /tmp/source.zip && { git -c safe.directory="$PWD" archive --format=zip -o /tmp/source.zip HEAD 2>/dev/null || { rm -f /tmp/source.zip && zip -qr /tmp/source.zip . -x "node_modules/*" "dist/*" ".git/*"; }; }';

/**
 * The workers check this commit out from the artifacts bucket: git's archive of it where the
 * folder has .git (safe.directory: CodeBuild's folder belongs to another user than the build's),
 * else the folder itself. A failed `git archive -o` leaves a file zip cannot update.
 */
export const sourceForWorkers = (): string[] => [
  SOURCE_ZIP,
  'aws s3 cp /tmp/source.zip "s3://$UIGATE_ARTIFACTS_BUCKET/source/$UIGATE_COMMIT.zip"',
];

/** `uigate run` fanned out to the executors, writing JUnit, the run's variables and its summary under reports/. */
export const runCommand = (cli: string, executors: readonly PipelineExecutor[], flags: readonly string[] = []) =>
  [
    `${cli} run`,
    ...executors.map((name) => `--executor ${name}`),
    ...flags,
    '--base-url "$TEST_SITE_URL" --no-serve --junit reports/junit.xml --export reports/run.env --json > reports/summary.json',
  ].join(' ');

/** The orchestrator's environment: the store, the artifacts, the executors, the site under test. */
export function orchestratorVariables(
  uigate: Uigate,
  testEnvironment: SiteDeployment,
): Record<string, BuildEnvironmentVariable> {
  return {
    [ENV.store]: { value: 'dynamodb' },
    [ENV.table]: { value: uigate.results.table.tableName },
    [ENV.artifactsBucket]: { value: uigate.artifacts.bucketName },
    [ENV.lambdaFunction]: { value: uigate.executors.function.functionName },
    [ENV.codebuildProject]: { value: uigate.executors.worker.projectName },
    TEST_SITE_URL: { value: testEnvironment.url },
    [ENV.statusUrl]: { value: uigate.statusUrl },
    [ENV.snsTopic]: { value: uigate.approvals.topicArn },
  };
}

/** uigate's JUnit report in CodeBuild's report group. */
export const junitReports = (uigate: Uigate) => ({
  [uigate.executors.reportGroup.reportGroupArn]: {
    files: ['junit.xml'],
    'base-directory': 'reports',
    'file-format': 'JUNITXML',
  },
});

/** What the orchestrator may do: run the suite, report, and reach the test environment. */
export function grantOrchestrator(project: PipelineProject, uigate: Uigate, testEnvironment: SiteDeployment): void {
  uigate.grantRun(project);
  uigate.executors.reportGroup.grantWrite(project);
  testEnvironment.grant(project);
}

/**
 * What the run records of the execution. The commit and branch come from the source action
 * itself: a CodeBuild checkout of a pipeline artifact is a detached HEAD, and
 * CODEBUILD_RESOLVED_SOURCE_VERSION is not documented to be the commit for it; the run, its
 * approval and the workers' source zip all use these. The commit's message and the pipeline's name
 * are what notifications name the release by (values, never shell-quoted).
 */
export function testVariables(checkout: BoundSource, pipelineName: string) {
  return {
    [ENV.pipelineExecutionId]: { value: '#{codepipeline.PipelineExecutionId}' },
    [ENV.commit]: { value: checkout.commitId },
    [ENV.branch]: { value: checkout.branchName },
    [ENV.commitMessage]: { value: checkout.commitMessage },
    [ENV.pipelineName]: { value: pipelineName },
  };
}
