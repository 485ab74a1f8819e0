// The endpoint the AWS SDKs take from the environment for a service, so a uigate setting is not the
// only way to point it at LocalStack, moto or a VPC endpoint: AWS_ENDPOINT_URL_<SERVICE>, else
// AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. uigate's own settings
// (UIGATE_*_ENDPOINT, uigate.config.ts) come first, as an endpoint given in code does for the SDK.
//
// AWS: "AWS_ENDPOINT_URL … specifies the endpoint that is used for all service requests. This
// endpoint is overridden by any configured service-specific endpoint"; "AWS_ENDPOINT_URL_<SERVICE>
// … overrides any global endpoint set in AWS_ENDPOINT_URL"; with ignore_configured_endpoint_urls
// "the SDK or tool does not read any custom configuration options from the shared config file or
// from environment variables for setting an endpoint URL" (AWS SDKs and Tools reference guide,
// "Service-specific endpoints", https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html;
// the service identifiers from its "Identifiers for service-specific endpoints" table).
// The shared config file's endpoint_url settings are left to the SDK clients themselves.

/** The identifiers uigate's services have in the variable names. */
export type EndpointService = 'DYNAMODB' | 'S3' | 'LAMBDA' | 'CODEBUILD' | 'CLOUDWATCH' | 'SNS' | 'SECRETS_MANAGER';

export function configuredEndpoint(env: NodeJS.ProcessEnv, service: EndpointService): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
