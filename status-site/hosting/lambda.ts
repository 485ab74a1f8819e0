// The status site in AWS Lambda behind a function URL: the same app as `uigate serve`, with the
// store named by UIGATE_TABLE (and AWS_REGION), artifacts from UIGATE_ARTIFACTS_BUCKET, and the
// page built ahead of time (npm run build).
// With UIGATE_APPROVALS=on (the approval function, its own URL) it also takes decisions from IAM callers.
// With UIGATE_SESSION_SECRET_ARN, the status function answers reads only with a session, and the
// approval function hands IAM callers the sign-in links that make one (read-access.ts).
import { join } from 'node:path';
import type { Hono } from 'hono';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { configFromEnv } from '../../runner/config/config.ts';
import { connectStore } from '../../runner/store/open-store.ts';
import { parseKey } from '../../runner/store/store-address.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { iamApprovals, iamCaller } from '../access/approvers.ts';
import { secretsManagerSecret } from '../access/session-secret.ts';
import { createApp } from '../app/app.ts';
import { BUILT_SITE, readBuiltPage } from './page-assets.ts';
import { S3ArtifactReader } from '../artifacts/s3-artifact-reader.ts';
import { ENV } from '../../runner/core/env.ts';
import { awsRegion } from '../../runner/aws/region.ts';

const DIST = process.env[ENV.siteAssets] ?? BUILT_SITE;

/**
 * The largest artifact the function answers itself. A function URL in BUFFERED mode answers at
 * most 6 MB (AWS Lambda developer guide, "Invoking a response streaming enabled function using
 * Lambda function URLs"), and a binary body goes base64-encoded (4 bytes per 3) inside the JSON
 * response: 4 MiB becomes 5.6 MB. Larger traces and videos are redirected to a presigned URL.
 */
export const INLINE_LIMIT = 4 * 1024 * 1024;

let app: Hono | undefined;

export function lambdaApp(env: NodeJS.ProcessEnv = process.env): Hono {
  const table = env[ENV.table];
  if (!table) throw new Error(`${ENV.table} is not set: the status site needs the results table name`);
  const store = connectStore({
    endpoint: env[ENV.dynamodbEndpoint] || undefined,
    key: parseKey(env[ENV.dynamodbKey]),
    table,
    region: awsRegion(env),
  });
  const bucket = env[ENV.artifactsBucket];
  const artifacts = bucket
    ? new S3ArtifactReader({
        bucket,
        prefix: env[ENV.artifactsPrefix],
        region: env.AWS_REGION,
        endpoint: env[ENV.s3Endpoint] || undefined,
      })
    : undefined;
  const approvalFunction = env[ENV.approvals] === 'on';
  const config = configFromEnv(env);
  // The status function needs a session for every read; the approval function (IAM URL) hands out the links.
  const secretArn = env[ENV.sessionSecretArn];
  const secret = secretArn ? secretsManagerSecret(secretArn, secretsClient(env)) : undefined;
  return createApp({
    store,
    artifacts,
    inlineLimit: INLINE_LIMIT,
    directOrigins: artifacts ? [artifacts.directOrigin()] : [],
    page: () => readBuiltPage(env[ENV.siteAssets] ?? DIST),
    traceViewer: join(env[ENV.siteAssets] ?? DIST, 'trace'),
    approvals: approvalFunction ? iamApprovals(config) : undefined,
    readAccess: secret && !approvalFunction ? { secret } : undefined,
    iamReaders: approvalFunction
      ? { authenticate: iamCaller, readers: config.approval.readers, approvers: config.approval.approvers }
      : undefined,
    signIn:
      secret && approvalFunction
        ? { secret, authenticate: iamCaller, readers: config.approval.readers, statusUrl: config.notify.statusUrl }
        : undefined,
  });
}

const secretsClient = (env: NodeJS.ProcessEnv) =>
  new SecretsManagerClient({ region: env.AWS_REGION, endpoint: env[ENV.secretsEndpoint] || undefined });

export const handler = (event: LambdaEvent, context: LambdaContext) => handle((app ??= lambdaApp()))(event, context);
