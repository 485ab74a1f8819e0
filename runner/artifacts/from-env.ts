// The artifact store a reporter should use, from the environment its orchestrator gave it:
// S3 when a bucket is named (Lambda, CodeBuild), else a local folder.
import type { ArtifactStore } from './artifact-store.ts';
import { LocalArtifacts } from './local-artifacts.ts';
import { S3Artifacts } from './s3-artifacts.ts';

export function artifactStoreFromEnv(env: NodeJS.ProcessEnv, fallbackDir?: string): ArtifactStore | undefined {
  if (env.UIGATE_ARTIFACTS_BUCKET) {
    return new S3Artifacts({
      bucket: env.UIGATE_ARTIFACTS_BUCKET,
      prefix: env.UIGATE_ARTIFACTS_PREFIX,
      region: env.UIGATE_ARTIFACTS_REGION,
      endpoint: env.UIGATE_S3_ENDPOINT || undefined,
    });
  }
  const dir = env.UIGATE_ARTIFACTS_DIR || fallbackDir;
  return dir ? new LocalArtifacts(dir) : undefined;
}
