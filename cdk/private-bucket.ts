// A bucket nobody reaches but through IAM or CloudFront: encrypted, public access blocked,
// TLS only, access logged.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  type IBucket,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface PrivateBucketProps {
  /** Where S3 server access logs go. @default none — only for the log bucket itself */
  readonly accessLogs?: IBucket;
  /** How long objects (and old versions) are kept. @default forever */
  readonly expireAfter?: Duration;
  /** Keep old versions (releases a rollback can return to). @default false */
  readonly versioned?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Let CloudFront deliver its standard logs here (they come with ACLs). @default false */
  readonly cloudFrontLogs?: boolean;
  /**
   * Let a page read objects it fetched with a presigned URL (a CORS rule for GET and HEAD).
   * @default false
   */
  readonly presignedReads?: boolean;
}

export class PrivateBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps = {}) {
    super(scope, id);
    const lifecycleRules: LifecycleRule[] = [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }];
    if (props.expireAfter)
      lifecycleRules.push({ expiration: props.expireAfter, noncurrentVersionExpiration: props.expireAfter });
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: props.cloudFrontLogs ? ObjectOwnership.OBJECT_WRITER : ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? false,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: props.accessLogs ? `${id.toLowerCase()}/` : undefined,
      lifecycleRules,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Any origin: CORS only lets a page read a response it may already fetch, and every request
      // here still needs a signature. Naming the status site's domain would make the bucket depend
      // on the distribution, whose function depends on the bucket: a cycle.
      cors: props.presignedReads
        ? [{ allowedMethods: [HttpMethods.GET, HttpMethods.HEAD], allowedOrigins: ['*'], maxAge: 300 }]
        : undefined,
    });
  }
}
