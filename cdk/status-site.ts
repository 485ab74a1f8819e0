// The status site in AWS: the page from a private bucket, the API and artifacts from a Lambda
// function URL that only CloudFront can call (IAM auth, origin access control). The function can
// read the results table and the artifacts, and write nothing; it answers a reader only with a
// session from a sign-in link (`uigate open`): the page's code is public, the results are not.
import { Duration, Stack } from 'aws-cdk-lib';
import { HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, type Code, Function as LambdaFunction, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { apiBehavior, WebSite } from './web-site.ts';
import { LAMBDA_RUNTIME } from './node-runtime.ts';
import { acceptFindings, FUNCTION_FINDINGS } from './nag.ts';
import { pagePolicy, policyHeader, traceViewerPolicy } from '../status-site/app/policies.ts';
import { ENV } from '../runner/core/env.ts';
import { BucketDeployment, type ISource } from 'aws-cdk-lib/aws-s3-deployment';

export interface StatusSiteProps {
  readonly table: ITableV2;
  readonly artifacts: IBucket;
  readonly logs: IBucket;
  /** The same package as the Lambda executor; its handler is `status.handler`. */
  readonly code: Code;
  /** Checks the session cookies that sign-in links start (status-site/read-access.ts). */
  readonly sessionSecret: ISecret;
  /**
   * The page approvers decide on (`npm run build`: status-site/dist). Deployed with the stack, from
   * the code whoever runs `cdk deploy` trusts — never by the pipeline from a candidate commit.
   */
  readonly page: ISource;
}

export class StatusSite extends Construct {
  readonly site: WebSite;
  readonly api: LambdaFunction;

  constructor(scope: Construct, id: string, props: StatusSiteProps) {
    super(scope, id);
    this.api = new LambdaFunction(this, 'Api', {
      description: 'uigate status API (read-only)',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.X86_64,
      handler: 'status.handler',
      code: props.code,
      memorySize: 512,
      timeout: Duration.seconds(15),
      logGroup: new LogGroup(this, 'ApiLogs', { retention: RetentionDays.ONE_MONTH }),
      environment: {
        [ENV.table]: props.table.tableName,
        [ENV.artifactsBucket]: props.artifacts.bucketName,
        [ENV.sessionSecretArn]: props.sessionSecret.secretArn,
      },
    });
    // Read-only: decisions go to the approval function (ApprovalGate), which has its own URL and grants.
    props.table.grantReadData(this.api);
    props.artifacts.grantRead(this.api);
    props.sessionSecret.grantRead(this.api);
    const url = this.api.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    const api = apiBehavior(FunctionUrlOrigin.withOriginAccessControl(url));
    // Traces and videos over 4 MiB come straight from the artifacts bucket, by a presigned URL the
    // function redirects to (status-site/hosting/lambda.ts): the page and the viewer may fetch there.
    const direct = [`https://${props.artifacts.bucketName}.s3.${Stack.of(this).region}.amazonaws.com`];
    this.site = new WebSite(this, 'Site', {
      comment: 'uigate status site',
      logs: props.logs,
      spaPaths: ['/runs/*', '/releases'],
      // Playwright's report comes from the function too: it checks the reader and sends the
      // report's sandboxing policy itself (status-site/app/policies.ts, REPORT_POLICY).
      additionalBehaviors: { '/api/*': api, '/artifacts/*': api, '/reports/*': api },
      // The page and the trace viewer from the bucket get the policies uigate serve sends itself.
      headers: this.headers('PageHeaders', policyHeader(pagePolicy(direct)), HeadersFrameOption.DENY),
      headersByPath: {
        '/trace/*': this.headers(
          'TraceViewerHeaders',
          policyHeader(traceViewerPolicy(direct)),
          HeadersFrameOption.SAMEORIGIN,
        ),
      },
    });
    // Function URLs made since October 2025 need lambda:InvokeFunction besides
    // lambda:InvokeFunctionUrl for CloudFront's origin access control (CloudFront developer guide,
    // "Restrict access to an AWS Lambda function URL origin": two add-permission commands).
    // FunctionUrlOrigin.withOriginAccessControl adds both, for this distribution; a test holds it to that.
    new BucketDeployment(this, 'Page', {
      sources: [props.page],
      destinationBucket: this.site.bucket,
      // No invalidation here: BucketDeployment grants cloudfront:CreateInvalidation on "*", which
      // this stack grants nobody; what the sites cache, and for how long, is the sites' concern.
    });
    acceptFindings(this, FUNCTION_FINDINGS);
    // BucketDeployment's handler is one function per stack, made beside this construct, not in it.
    for (const child of Stack.of(this).node.children)
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) acceptFindings(child, FUNCTION_FINDINGS);
  }

  private headers(id: string, contentSecurityPolicy: string, frameOption: HeadersFrameOption) {
    return new ResponseHeadersPolicy(this, id, {
      comment: `uigate status site: ${id}`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
  }
}
