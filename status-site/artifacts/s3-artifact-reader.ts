import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsRegion } from '../../runner/aws/region.ts';
import { s3Client, type S3ArtifactsOptions } from '../../runner/artifacts/s3-artifacts.ts';
import { artifactKeyOf, contentTypeOf, type Artifact, type ArtifactReader } from './artifact-reader.ts';

/** How long a presigned artifact URL works: long enough to open a trace, too short to pass around. */
export const DIRECT_URL_SECONDS = 300;

export class S3ArtifactReader implements ArtifactReader {
  private readonly client: S3Client;

  constructor(private readonly options: S3ArtifactsOptions) {
    this.client = s3Client(options);
  }

  async get(runId: string, path: string): Promise<Artifact | undefined> {
    const key = artifactKeyOf(runId, path);
    if (!key) return undefined;
    const Key = `${this.options.prefix ?? ''}${key}`;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key }));
      if (!object.Body) return undefined;
      const contentType = contentTypeOf(key);
      return {
        body: object.Body.transformToWebStream(),
        size: object.ContentLength ?? 0,
        contentType,
        // S3 answers the signed URL with the type and disposition named in it, never the stored ones.
        directUrl: (contentDisposition) =>
          getSignedUrl(
            this.client,
            new GetObjectCommand({
              Bucket: this.options.bucket,
              Key,
              ResponseContentType: contentType,
              ResponseContentDisposition: contentDisposition,
            }),
            { expiresIn: DIRECT_URL_SECONDS },
          ),
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /**
   * Where its direct URLs point: the bucket's virtual-hosted regional endpoint, the form the SDK
   * signs for a bucket name without dots (Amazon S3 user guide, "Virtual-hosted-style requests");
   * a stand-in's own origin.
   */
  directOrigin(): string {
    if (this.options.endpoint) return new URL(this.options.endpoint).origin;
    return `https://${this.options.bucket}.s3.${awsRegion(process.env, this.options.region)}.amazonaws.com`;
  }

  close(): void {
    this.client.destroy();
  }
}
