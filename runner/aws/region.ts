// The AWS region every client talks to when nothing more specific names one, and where it came
// from. A setting (uigate.config.ts, UIGATE_REGION) wins; else the AWS SDK's own chain: AWS_REGION,
// then the `region` of the profile in the shared config file (AWS_PROFILE, AWS_CONFIG_FILE; an
// SSO profile's too) — as the AWS CLI and every SDK client would take it. Only when none names
// one, us-east-1, and uigate says so.
//
// AWS: "The SDK for JavaScript v3 … checks the AWS_REGION environment variable, then the region
// setting of the shared config file's profile" (AWS SDKs and Tools reference guide, "AWS Region",
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html). The JavaScript SDK's chain
// does not ask EC2 instance metadata; set AWS_REGION on an EC2 host (Lambda, CodeBuild and ECS set it).
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { ENV } from '../core/env.ts';

export const FALLBACK_REGION = 'us-east-1';

/** The region for a client: the first setting given, else AWS_REGION (made the SDK's answer by resolveRegion), else us-east-1. */
export function awsRegion(env: NodeJS.ProcessEnv, ...settings: (string | undefined)[]): string {
  return settings.find((setting) => setting) ?? (env.AWS_REGION || FALLBACK_REGION);
}

/** The region in use and, in words, where it came from. */
export interface RegionChoice {
  region: string;
  from: string;
}

/**
 * Asks the SDK's chain once, before any client is made, and writes its answer into AWS_REGION of
 * `env`, so every client and every process uigate starts (Playwright, workers) uses the same one.
 */
export async function resolveRegion(env: NodeJS.ProcessEnv): Promise<RegionChoice> {
  chosen = await choose(env);
  return chosen;
}

let chosen: RegionChoice | undefined;

/** What resolveRegion chose in this process, for the commands that say it; undefined before. */
export const regionChoice = (): RegionChoice | undefined => chosen;

async function choose(env: NodeJS.ProcessEnv): Promise<RegionChoice> {
  if (env[ENV.region]) return { region: env[ENV.region]!, from: `${ENV.region}` };
  if (env.AWS_REGION) return { region: env.AWS_REGION, from: 'AWS_REGION' };
  const profile = env.AWS_PROFILE || 'default';
  // The SDK's own loader: it reads this process's environment and the shared files, as clients do.
  const region = await loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, profile })().catch(
    () => undefined,
  );
  if (typeof region === 'string' && region) {
    env.AWS_REGION = region;
    return { region, from: `profile ${profile} in ${env.AWS_CONFIG_FILE || '~/.aws/config'}` };
  }
  return { region: FALLBACK_REGION, from: 'no setting, AWS_REGION or profile names one: the default' };
}
