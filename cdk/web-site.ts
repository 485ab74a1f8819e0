// A static site in a private bucket, served only through CloudFront with origin access control
// (the bucket itself is never public). Used for the test site, the production site and the
// status page.

import { Annotations, Duration, Token } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type IResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PrivateBucket } from './private-bucket.ts';
import { acceptFindings } from './nag.ts';

export interface WebSiteProps {
  readonly logs: IBucket;
  /** Keep old object versions, so a release can be rolled back. @default false */
  readonly versioned?: boolean;
  /** Paths answered with /index.html (a page that routes in the browser), e.g. ['/runs/*']. @default none */
  readonly spaPaths?: string[];
  /** More behaviors, e.g. '/api/*' to a function. @default none */
  readonly additionalBehaviors?: Record<string, BehaviorOptions>;
  /** Headers added to what the bucket serves. @default CloudFront's managed security headers */
  readonly headers?: IResponseHeadersPolicy;
  /** Paths of the bucket served with other headers, e.g. { '/trace/*': a policy of its own }. @default none */
  readonly headersByPath?: Record<string, IResponseHeadersPolicy>;
  readonly comment: string;
}

export class WebSite extends Construct {
  readonly bucket: IBucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: WebSiteProps) {
    super(scope, id);
    this.bucket = new PrivateBucket(this, 'Content', { accessLogs: props.logs, versioned: props.versioned }).bucket;
    const rewrite = props.spaPaths?.length
      ? new CloudFrontFunction(this, 'Rewrite', {
          comment: 'routes page URLs to index.html',
          code: FunctionCode.fromInline(
            `function handler(event) { var r = event.request; if (${props.spaPaths
              .map((path) => `r.uri.indexOf(${JSON.stringify(path.replace('*', ''))}) === 0`)
              .join(' || ')} || r.uri === '/') { r.uri = '/index.html'; } return r; }`,
          ),
        })
      : undefined;
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    // Not CachingOptimized, whose 24-hour default would keep serving a rolled-back release for a
    // day: an object without Cache-Control is asked for again every time (default TTL 0), one that
    // says how long it keeps is kept that long. uigate stores a release's hashed assets with a
    // year and its entry documents with no-cache (runner/verify/cache-control.ts), so the edge
    // answers the assets itself and a promotion or a rollback is seen at once; each also
    // invalidates the entry paths that changed (`--invalidate`), for what an edge kept before.
    const cachePolicy = new CachePolicy(this, 'Cache', {
      comment: `${props.comment}: origin Cache-Control, else revalidate`,
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: props.comment,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logs,
      logFilePrefix: `${id.toLowerCase()}/`,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: props.headers ?? ResponseHeadersPolicy.SECURITY_HEADERS,
        cachePolicy,
        functionAssociations: rewrite
          ? [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }]
          : undefined,
      },
      additionalBehaviors: {
        ...Object.fromEntries(
          Object.entries(props.headersByPath ?? {}).map(([path, headers]) => [
            path,
            {
              origin,
              viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
              responseHeadersPolicy: headers,
              cachePolicy,
            },
          ]),
        ),
        ...props.additionalBehaviors,
      },
    });
    acceptFindings(this.distribution, DISTRIBUTION_FINDINGS);
    warnWhereLogsAreNotDelivered(this, props.logs);
  }
}

/**
 * Regions whose S3 buckets CloudFront's standard (legacy) logging does not deliver to (CloudFront
 * developer guide, "Choosing an Amazon S3 bucket for your standard logs"; the same four named by
 * the AWS Config runbook AWSConfigRemediation-EnableCloudFrontAccessLogs).
 */
export const NO_STANDARD_LOGS_REGIONS = ['af-south-1', 'ap-east-1', 'eu-south-1', 'me-south-1'];

/** Says so at synth when the distribution's logs would never arrive: the region's bucket is not served. */
function warnWhereLogsAreNotDelivered(scope: Construct, logs: IBucket): void {
  const region = logs.stack.region;
  if (Token.isUnresolved(region) || !NO_STANDARD_LOGS_REGIONS.includes(region)) return;
  Annotations.of(scope).addWarningV2(
    'uigate:cloudfront-logs-region',
    `CloudFront does not deliver standard logs to buckets in ${region}: pass \`logs\` a bucket in another Region (us-east-1, say) or the sites' access logs are lost`,
  );
}

/** What a site's distribution accepts until a team adds its own domain, certificate and WAF. */
const DISTRIBUTION_FINDINGS = [
  {
    id: 'AwsSolutions-CFR1',
    reason: 'Test results and sites are for the team wherever it works; no country is excluded.',
  },
  {
    id: 'AwsSolutions-CFR2',
    reason: 'WAF is left to the team’s own edge setup; the origins are private (OAC) and the API is read-only.',
  },
  {
    id: 'AwsSolutions-CFR4',
    reason:
      'The distributions use the default *.cloudfront.net certificate, which does not allow pinning TLS 1.2 in the viewer policy; add a domain and ACM certificate to raise it.',
  },
];

/** A behavior for an API origin: no caching, every method, the viewer's query and headers passed on. */
export function apiBehavior(origin: BehaviorOptions['origin']): BehaviorOptions {
  return {
    origin,
    viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
    allowedMethods: AllowedMethods.ALLOW_ALL,
    cachePolicy: CachePolicy.CACHING_DISABLED,
    originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
  };
}
