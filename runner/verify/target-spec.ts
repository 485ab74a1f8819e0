// Production targets named on the command line: local:<dir>, s3://<bucket>, lambda:<function>:<alias>,
// command:<name> (with --deploy-command); a site's behind CloudFront with --invalidate <distribution>.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { resolve } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { LocalArtifacts } from '../artifacts/local-artifacts.ts';
import { S3Artifacts, s3Client } from '../artifacts/s3-artifacts.ts';
import { UsageError } from '../core/errors.ts';
import { CommandTarget } from './command-target.ts';
import { cloudFrontInvalidation, DISTRIBUTION_ID } from './cloudfront-invalidation.ts';
import { EdgeCachedTarget, type ListingTarget } from './edge-cached-target.ts';
import { LambdaAliasTarget } from './lambda-alias-target.ts';
import { LocalSiteTarget } from './local-site-target.ts';
import type { ProductionTarget } from './production-target.ts';
import { S3SiteTarget } from './s3-site-target.ts';

export interface TargetOptions {
  cwd: string;
  region: string;
  s3Endpoint?: string;
  /** What deploys a release's files, for command:<name>. */
  deployCommand?: string;
  /** Where a command target keeps each release's files (opened only for one). */
  artifacts?: () => ArtifactStore | undefined;
  /** Overrides `artifacts` for a command target: `s3://<bucket>[/<prefix>]` or a folder. */
  keepReleases?: string;
  env?: NodeJS.ProcessEnv;
  /** The CloudFront distribution in front of a site (s3:// or command:), invalidated on each publish. */
  invalidate?: string;
  /** Where a line about each invalidation goes. */
  report?: (line: string) => void;
}

/** The kinds of target, as a message names them. */
export const TARGETS = 'local:<dir>, s3://<bucket>, lambda:<function>:<alias> or command:<name>';

export function targetFrom(spec: string, options: TargetOptions): ProductionTarget {
  const target = siteOrFunction(spec, options);
  if (!options.invalidate) return target;
  if (!DISTRIBUTION_ID.test(options.invalidate))
    throw new UsageError(
      `--invalidate "${options.invalidate.slice(0, 40)}" is not a CloudFront distribution id: pass the id (E2QWRUHAPOMQZL, say), not its domain or ARN`,
    );
  if (!(target instanceof S3SiteTarget || target instanceof CommandTarget))
    throw new UsageError(
      `--invalidate is for a site's files (s3://<bucket> or command:<name>); ${target.name} is served without CloudFront's cache`,
    );
  return new EdgeCachedTarget(target as ListingTarget, cloudFrontInvalidation(options.invalidate), options.report);
}

function siteOrFunction(spec: string, options: TargetOptions): ProductionTarget {
  const command = /^command:([A-Za-z0-9._-]{1,128})$/.exec(spec);
  if (command) return commandTarget(command[1]!, options);
  if (options.deployCommand || options.keepReleases)
    throw new UsageError(
      `--deploy-command and --keep-releases are for a command:<name> target; ${spec.slice(0, 60)} deploys on its own`,
    );
  if (spec.startsWith('local:')) return new LocalSiteTarget(resolve(options.cwd, spec.slice('local:'.length)));
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?$/.exec(spec);
  if (s3) return new S3SiteTarget(s3Client({ region: options.region, endpoint: options.s3Endpoint }), s3[1]!);
  const lambda = /^lambda:([A-Za-z0-9_:-]+):([A-Za-z0-9_-]+)$/.exec(spec);
  if (lambda) return new LambdaAliasTarget(new LambdaClient({ region: options.region }), lambda[1]!, lambda[2]!);
  throw new UsageError(`--target "${spec.slice(0, 60)}" is not a production target: use ${TARGETS}`);
}

function commandTarget(name: string, options: TargetOptions): CommandTarget {
  if (!options.deployCommand)
    throw new UsageError(
      `command:${name} needs --deploy-command "<command>": what deploys a release's files ($UIGATE_RELEASE_DIR), run again with the last good release's to roll back`,
    );
  const artifacts = options.keepReleases ? keeperOf(options.keepReleases, options) : options.artifacts?.();
  if (!artifacts?.readAll)
    throw new UsageError(
      `command:${name} keeps each release for a rollback: configure artifacts (a folder or a bucket)`,
    );
  return new CommandTarget(name, { command: options.deployCommand, cwd: options.cwd, artifacts, env: options.env });
}

/**
 * Where a command target's releases are kept when not with the artifacts: in AWS a bucket that
 * does not expire them (the artifacts bucket does, and a rollback may need an old release).
 */
function keeperOf(spec: string, options: TargetOptions): ArtifactStore {
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(spec);
  if (s3)
    return new S3Artifacts({
      bucket: s3[1]!,
      prefix: s3[2] ? `${s3[2].replace(/\/+$/, '')}/` : undefined,
      region: options.region,
      endpoint: options.s3Endpoint,
    });
  if (/^[a-z0-9+.-]+:\/\//i.test(spec))
    throw new UsageError(`--keep-releases "${spec.slice(0, 60)}" is neither s3://<bucket>[/<prefix>] nor a folder`);
  return new LocalArtifacts(resolve(options.cwd, spec));
}
