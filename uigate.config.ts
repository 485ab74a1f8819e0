import { userInfo } from 'node:os';
import { defineConfig } from './runner/config/config.ts';

// Embedded defaults: results in dynalite under .uigate/, artifacts under .uigate/artifacts,
// batches on this machine. Point store.endpoint at DynamoDB (or set UIGATE_DYNAMODB_ENDPOINT) to share.
export default defineConfig({
  store: { table: 'uigate' },
  dispatch: { infraRetries: 2 },
  gate: { maxFailures: 0, requiredProjects: ['chromium'] },
  // Locally, the person at this machine may approve (`uigate approve`, the status site's button,
  // `uigate pipeline --local --approve`); in AWS list IAM ARNs instead.
  approval: { approvers: [process.env.UIGATE_APPROVER || userInfo().username] },
});
