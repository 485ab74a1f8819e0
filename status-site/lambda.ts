// The status site in AWS Lambda behind a function URL: the same app as `uigate serve`, with the
// store named by UIGATE_TABLE (and AWS_REGION), artifacts from UIGATE_ARTIFACTS_BUCKET, and the
// page built ahead of time (npm run build).
// With UIGATE_APPROVALS=on (the approval function, its own URL) it also takes decisions from IAM callers.
// With UIGATE_SESSION_SECRET_ARN, the status function answers reads only with a session, and the
// approval function hands IAM callers the sign-in links that make one (read-access.ts).
import { join } from 'node:path';
import type { Hono } from 'hono';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { configFromEnv } from '../runner/config.ts';
import { connectStore } from '../runner/store/open-store.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { iamApprovals, iamCaller } from './approvers.ts';
import { secretsManagerSecret } from './session-secret.ts';
import { createApp } from './app.ts';
import { BUILT_SITE, readBuiltPage } from './page-assets.ts';
import { S3ArtifactSource } from './s3-artifact-source.ts';

const DIST = process.env.UIGATE_SITE_ASSETS ?? BUILT_SITE;

let app: Hono | undefined;

export function lambdaApp(env: NodeJS.ProcessEnv = process.env): Hono {
  if (!env.UIGATE_TABLE) throw new Error('UIGATE_TABLE is not set: the status site needs the results table name');
  const store = connectStore({ endpoint: env.UIGATE_DYNAMODB_ENDPOINT || undefined, table: env.UIGATE_TABLE, region: env.AWS_REGION ?? 'us-east-1' });
  const artifacts = env.UIGATE_ARTIFACTS_BUCKET
    ? new S3ArtifactSource({ bucket: env.UIGATE_ARTIFACTS_BUCKET, prefix: env.UIGATE_ARTIFACTS_PREFIX, region: env.AWS_REGION, endpoint: env.UIGATE_S3_ENDPOINT || undefined })
    : undefined;
  const approvalFunction = env.UIGATE_APPROVALS === 'on';
  const config = configFromEnv(env);
  // The status function needs a session for every read; the approval function (IAM URL) hands out the links.
  const secret = env.UIGATE_SESSION_SECRET_ARN ? secretsManagerSecret(env.UIGATE_SESSION_SECRET_ARN, secretsClient(env)) : undefined;
  return createApp({
    store,
    artifacts,
    page: () => readBuiltPage(env.UIGATE_SITE_ASSETS ?? DIST),
    traceViewer: join(env.UIGATE_SITE_ASSETS ?? DIST, 'trace'),
    approvals: approvalFunction ? iamApprovals(config) : undefined,
    readAccess: secret && !approvalFunction ? { secret } : undefined,
    signIn: secret && approvalFunction ? { secret, authenticate: iamCaller, readers: config.approval.readers, statusUrl: config.notify.statusUrl } : undefined,
  });
}

const secretsClient = (env: NodeJS.ProcessEnv) => new SecretsManagerClient({ region: env.AWS_REGION, endpoint: env.UIGATE_SECRETS_ENDPOINT || undefined });

export const handler = (event: LambdaEvent, context: LambdaContext) => handle((app ??= lambdaApp()))(event, context);
