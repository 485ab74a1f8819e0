// The production target `uigate promote` and `uigate verify` name with --target (and, for a
// command target, --deploy-command and --keep-releases; a site behind CloudFront, --invalidate), built from the flags and the config.
import { artifactStoreOf } from '../artifacts/from-env.ts';
import type { ResolvedConfig } from '../config/config.ts';
import type { ProductionTarget } from '../verify/production-target.ts';
import { targetFrom } from '../verify/target-spec.ts';
import type { CommandIO } from './io.ts';

export interface TargetFlags {
  target: string;
  deployCommand?: string;
  keepReleases?: string;
  /** The CloudFront distribution in front of the site. */
  invalidate?: string;
}

export function targetOfFlags(flags: TargetFlags, config: ResolvedConfig, io: CommandIO): ProductionTarget {
  return targetFrom(flags.target, {
    cwd: io.cwd,
    region: io.env.AWS_REGION || config.store.region,
    s3Endpoint: config.artifacts.endpoint,
    deployCommand: flags.deployCommand,
    keepReleases: flags.keepReleases,
    artifacts: () => artifactStoreOf(config.artifacts),
    env: io.env,
    invalidate: flags.invalidate,
    report: (line) => io.stderr.write(`${line}\n`),
  });
}
