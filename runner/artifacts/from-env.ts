// The artifact store to write to: S3 when a bucket is named (Lambda, CodeBuild, or a config that
// names one), else a local folder. A reporter learns which from the environment its orchestrator gave it.
import { configuredEndpoint } from '../aws/endpoints.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { LocalArtifacts } from './local-artifacts.ts';
import { S3Artifacts } from './s3-artifacts.ts';
import { ENV } from '../core/env.ts';

export interface ArtifactSettings {
  dir?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
}

export function artifactStoreOf(settings: ArtifactSettings): ArtifactStore | undefined {
  const { dir, bucket, prefix, region, endpoint } = settings;
  if (bucket) return new S3Artifacts({ bucket, prefix, region, endpoint });
  return dir ? new LocalArtifacts(dir) : undefined;
}

export function artifactStoreFromEnv(env: NodeJS.ProcessEnv, fallbackDir?: string): ArtifactStore | undefined {
  return artifactStoreOf({
    bucket: env[ENV.artifactsBucket],
    prefix: env[ENV.artifactsPrefix],
    region: env[ENV.artifactsRegion],
    endpoint: env[ENV.s3Endpoint] || configuredEndpoint(env, 'S3'),
    dir: env[ENV.artifactsDir] || fallbackDir,
  });
}
