// Rollback targets named on the command line: local:<dir>, s3://<bucket>, lambda:<function>:<alias>.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { resolve } from 'node:path';
import { s3Client } from '../artifacts/s3-artifacts.ts';
import { UsageError } from '../core/errors.ts';
import { LambdaAliasTarget } from './lambda-alias-target.ts';
import { LocalSiteTarget } from './local-site-target.ts';
import type { RollbackTarget } from './rollback-target.ts';
import { S3SiteTarget } from './s3-site-target.ts';

export function targetFrom(
  spec: string,
  options: { cwd: string; region: string; s3Endpoint?: string },
): RollbackTarget {
  if (spec.startsWith('local:')) return new LocalSiteTarget(resolve(options.cwd, spec.slice('local:'.length)));
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?$/.exec(spec);
  if (s3) return new S3SiteTarget(s3Client({ region: options.region, endpoint: options.s3Endpoint }), s3[1]!);
  const lambda = /^lambda:([A-Za-z0-9_:-]+):([A-Za-z0-9_-]+)$/.exec(spec);
  if (lambda) return new LambdaAliasTarget(new LambdaClient({ region: options.region }), lambda[1]!, lambda[2]!);
  throw new UsageError(
    `--target "${spec.slice(0, 60)}" is not a rollback target: use local:<dir>, s3://<bucket> or lambda:<function>:<alias>`,
  );
}
