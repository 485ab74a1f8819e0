// What a run costs on AWS, from AWS's public on-demand prices (us-east-1, read 2026-12-07):
//  - Lambda: $0.0000166667 per GB-second on x86_64 ($0.0000133334 on arm64), billed per 1 ms,
//    and $0.20 per million requests (https://aws.amazon.com/lambda/pricing/).
//  - CodeBuild: per build minute by compute type — general1.small $0.005, general1.medium $0.01,
//    general1.large $0.02 on Linux (https://aws.amazon.com/codebuild/pricing/); a build is
//    billed from its start (provisioning included) to its end, in whole minutes.
// Free tiers are left out: a team running 10,000 tests a day is past them. Other regions cost
// more (Lambda in af-south-1 ≈ 1.33 ×): the figures are a floor, said as such where shown.

import type { CodeBuildCompute } from '../config/config.ts';

export const LAMBDA_GB_SECOND_USD = { x86_64: 0.0000166667, arm64: 0.0000133334 } as const;
export const LAMBDA_REQUEST_USD = 0.2 / 1_000_000;
export const CODEBUILD_MINUTE_USD: Record<CodeBuildCompute, number> = {
  BUILD_GENERAL1_SMALL: 0.005,
  BUILD_GENERAL1_MEDIUM: 0.01,
  BUILD_GENERAL1_LARGE: 0.02,
};

/** An invocation of `memoryMb` for `ms`, billed per millisecond, plus its request. */
export function lambdaCost(ms: number, memoryMb: number, architecture: 'x86_64' | 'arm64' = 'x86_64'): number {
  return (Math.ceil(ms) / 1000) * (memoryMb / 1024) * LAMBDA_GB_SECOND_USD[architecture] + LAMBDA_REQUEST_USD;
}

/** A build of `ms` (provisioning included), billed in whole minutes. */
export function codeBuildCost(ms: number, compute: CodeBuildCompute = 'BUILD_GENERAL1_MEDIUM'): number {
  return Math.ceil(ms / 60_000) * CODEBUILD_MINUTE_USD[compute];
}

/**
 * What a build expected to run `ms` is expected to be billed, for planning: builds never end on
 * the minute they were planned to, so the rounding up is half a minute on average. Rounding the
 * plan's own even shares instead made work seem free on CodeBuild up to the next whole minute —
 * the planner moved work there from Lambda, which cost more once the builds really ran
 * (bench/scale.ts).
 */
export function codeBuildExpectedCost(ms: number, compute: CodeBuildCompute = 'BUILD_GENERAL1_MEDIUM'): number {
  return (ms / 60_000 + 0.5) * CODEBUILD_MINUTE_USD[compute];
}

/** Dollars, to the cent or to a tenth of a cent below one dollar. */
export const usd = (dollars: number): string => (dollars >= 1 ? `$${dollars.toFixed(2)}` : `$${dollars.toFixed(3)}`);
