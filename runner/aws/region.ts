// The AWS region a client talks to when nothing more specific names one: the first setting given,
// else AWS_REGION (set in Lambda and CodeBuild), else us-east-1 — one fallback for every client.
export function awsRegion(env: NodeJS.ProcessEnv, ...settings: (string | undefined)[]): string {
  return settings.find((setting) => setting) ?? (env.AWS_REGION || 'us-east-1');
}
