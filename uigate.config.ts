import { defineConfig } from './runner/config.ts';

// Embedded defaults: results in dynalite under .uigate/, artifacts under .uigate/artifacts,
// batches on this machine. Point store.endpoint at DynamoDB (or set UIGATE_DYNAMODB_ENDPOINT) to share.
export default defineConfig({
  store: { table: 'uigate' },
  dispatch: { infraRetries: 2 },
});
