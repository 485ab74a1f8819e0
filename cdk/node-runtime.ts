// One Node.js major for everything the stack runs: the functions and the pipeline's CodeBuild steps.
// Node 20 left maintenance in April 2026, and AWS SDK releases from January 2027 need Node 22.
import { Runtime } from 'aws-cdk-lib/aws-lambda';

export const NODE_MAJOR = '22';
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
/** For a buildspec's install phase on CodeBuild's standard image. */
export const CODEBUILD_RUNTIME = { 'runtime-versions': { nodejs: NODE_MAJOR } };
