// The status site's artifacts from S3, where Lambda and CodeBuild batches put them
// (`s3://<bucket>/<prefix><runId>/<unitKey>/<attempt>-<name>`, written by runner/artifacts/s3-artifacts.ts).
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { s3Client, type S3ArtifactsOptions } from '../../runner/artifacts/s3-artifacts.ts';
import { artifactKeyOf, contentTypeOf, type Artifact, type ArtifactSource } from './artifact-source.ts';

export class S3ArtifactSource implements ArtifactSource {
  private readonly client: S3Client;

  constructor(private readonly options: S3ArtifactsOptions) {
    this.client = s3Client(options);
  }

  async get(runId: string, path: string): Promise<Artifact | undefined> {
    // The same confinement as on disk, checked before any request: S3 keys have no `..`, but a
    // prefix-relative key built from one could still reach another run's objects.
    const key = artifactKeyOf(runId, path);
    if (!key) return undefined;
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: `${this.options.prefix ?? ''}${key}` }),
      );
      if (!object.Body) return undefined;
      // The type comes from the name, as on disk, never from the object's stored Content-Type.
      return {
        body: object.Body.transformToWebStream(),
        size: object.ContentLength ?? 0,
        contentType: contentTypeOf(key),
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  close(): void {
    this.client.destroy();
  }
}
