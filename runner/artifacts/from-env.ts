// The artifact store to write to: S3 when a bucket is named (Lambda, CodeBuild, or a config that
// names one), else a local folder. A reporter learns which from the environment its orchestrator gave it.
import type { ArtifactStore } from './artifact-store.ts';
import { LocalArtifacts } from './local-artifacts.ts';
import { S3Artifacts } from './s3-artifacts.ts';

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
    bucket: env.UIGATE_ARTIFACTS_BUCKET,
    prefix: env.UIGATE_ARTIFACTS_PREFIX,
    region: env.UIGATE_ARTIFACTS_REGION,
    endpoint: env.UIGATE_S3_ENDPOINT || undefined,
    dir: env.UIGATE_ARTIFACTS_DIR || fallbackDir,
  });
}
