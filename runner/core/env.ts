// Every environment variable uigate reads or sets, by name: they carry settings into containers,
// Lambda functions and the Playwright processes it starts. One place to find what each is for.

export const ENV = {
  approvalUrl: 'UIGATE_APPROVAL_URL',
  approvals: 'UIGATE_APPROVALS',
  approver: 'UIGATE_APPROVER',
  /** store.retentionDays, for the processes that write results the orchestrator queued. */
  retentionDays: 'UIGATE_RETENTION_DAYS',
  artifactDigest: 'UIGATE_ARTIFACT_DIGEST',
  artifactsBucket: 'UIGATE_ARTIFACTS_BUCKET',
  artifactsDir: 'UIGATE_ARTIFACTS_DIR',
  artifactsPrefix: 'UIGATE_ARTIFACTS_PREFIX',
  artifactsRegion: 'UIGATE_ARTIFACTS_REGION',
  author: 'UIGATE_AUTHOR',
  batchId: 'UIGATE_BATCH_ID',
  branch: 'UIGATE_BRANCH',
  browserNotices: 'UIGATE_BROWSER_NOTICES',
  chromiumArgs: 'UIGATE_CHROMIUM_ARGS',
  chromiumPath: 'UIGATE_CHROMIUM_PATH',
  cloudwatchEndpoint: 'UIGATE_CLOUDWATCH_ENDPOINT',
  codebuildProject: 'UIGATE_CODEBUILD_PROJECT',
  commit: 'UIGATE_COMMIT',
  commitMessage: 'UIGATE_COMMIT_MESSAGE',
  config: 'UIGATE_CONFIG',
  dispatch: 'UIGATE_DISPATCH',
  dynamodbEndpoint: 'UIGATE_DYNAMODB_ENDPOINT',
  /** The embedded store's key (JSON), for the Playwright processes uigate starts. */
  dynamodbKey: 'UIGATE_DYNAMODB_KEY',
  eventsFd: 'UIGATE_EVENTS_FD',
  executor: 'UIGATE_EXECUTOR',
  executorRef: 'UIGATE_EXECUTOR_REF',
  firefoxPath: 'UIGATE_FIREFOX_PATH',
  gate: 'UIGATE_GATE',
  home: 'UIGATE_HOME',
  keepWorkdir: 'UIGATE_KEEP_WORKDIR',
  lambdaEndpoint: 'UIGATE_LAMBDA_ENDPOINT',
  lambdaFunction: 'UIGATE_LAMBDA_FUNCTION',
  lambdaHandlerModule: 'UIGATE_LAMBDA_HANDLER_MODULE',
  /** Local execution environments only: where an unpacked Lambda Chromium is shared from (never in AWS). */
  lambdaChromiumCache: 'UIGATE_LAMBDA_CHROMIUM_CACHE',
  listFile: 'UIGATE_LIST_FILE',
  listProjects: 'UIGATE_LIST_PROJECTS',
  pipelineExecutionId: 'UIGATE_PIPELINE_EXECUTION_ID',
  pipelineName: 'UIGATE_PIPELINE_NAME',
  playwrightConfig: 'UIGATE_PLAYWRIGHT_CONFIG',
  region: 'UIGATE_REGION',
  report: 'UIGATE_REPORT',
  runId: 'UIGATE_RUN_ID',
  /** Playwright's flags for a worker's batch, as JSON (playwright/test-flags.ts). */
  testFlags: 'UIGATE_TEST_FLAGS',
  /** Playwright workers a CodeBuild worker runs its batch with. */
  workers: 'UIGATE_WORKERS',
  s3Endpoint: 'UIGATE_S3_ENDPOINT',
  /** The seat a CodeBuild worker takes batches for (executors/seat-pool.ts). */
  seat: 'UIGATE_SEAT',
  runStatus: 'UIGATE_RUN_STATUS',
  runUrl: 'UIGATE_RUN_URL',
  secretsEndpoint: 'UIGATE_SECRETS_ENDPOINT',
  sessionSecretArn: 'UIGATE_SESSION_SECRET_ARN',
  siteAssets: 'UIGATE_SITE_ASSETS',
  snsTopic: 'UIGATE_SNS_TOPIC',
  statusUrl: 'UIGATE_STATUS_URL',
  stopMarginSeconds: 'UIGATE_STOP_MARGIN_SECONDS',
  store: 'UIGATE_STORE',
  summary: 'UIGATE_SUMMARY',
  /** The manual approval's text, whole and within CodePipeline's 500 characters of CustomData. */
  approvalInfo: 'UIGATE_APPROVAL_INFO',
  table: 'UIGATE_TABLE',
  taskRoot: 'UIGATE_TASK_ROOT',
  tmp: 'UIGATE_TMP',
  /** The pipeline watcher's settings (JSON): the pipeline, its stages and their roles, reminders. */
  watch: 'UIGATE_WATCH',
  webkitPath: 'UIGATE_WEBKIT_PATH',
} as const;

/** The environment that points playwright.config.ts at the site under test (`--base-url`). */
export const baseUrlEnv = (flags: { baseUrl?: string }): Record<string, string> =>
  flags.baseUrl ? { BASE_URL: flags.baseUrl } : {};
