// The uigate worker's buildspec: one CodeBuild build holds one seat of a run and runs the batches
// the seat is given (runner/executors/seat-pool.ts). The orchestrator (uigate run --executor
// codebuild) starts it with UIGATE_RUN_ID, UIGATE_SEAT and the table and bucket names as
// environment overrides; each batch's units are read from the table.
// The image is mcr.microsoft.com/playwright at the project's Playwright version: browsers included.
// Part of the construct, not of the team's repository: the source a build checks out is the
// commit under test, which need not carry a buildspec of uigate's.
export const WORKER_BUILDSPEC = {
  version: 0.2,
  env: {
    variables: { CI: 'true', UIGATE_STORE: 'dynamodb', UIGATE_BROWSER_NOTICES: 'off' },
  },
  phases: {
    install: { commands: ['npm ci --no-audit --no-fund'] },
    build: { commands: ['npx --no-install uigate worker'] },
  },
} as const;
