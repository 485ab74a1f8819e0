// uigate/cdk: uigate's AWS side as constructs a team adds to its own CDK app.
//   const uigate = new Uigate(this, 'Uigate', { approval: { approvers: [...] } });
//   new UigatePipeline(this, 'Release', { uigate, source, testEnvironment, production });
// aws-cdk-lib and constructs are the app's own (peer dependencies).
export { Uigate, type UigateProps, type UigateApprovalRules } from './uigate.ts';
export { ChatChannels, type ChatChannelsProps, type SlackChannel, type TeamsChannel } from './chat-channels.ts';
export { UigatePipeline, type UigatePipelineProps, type PipelineExecutor } from './pipeline.ts';
export {
  UigateComponentPipelines,
  type UigateComponentPipelinesProps,
  type ComponentEnvironment,
} from './component-pipelines.ts';
export { PipelineSource, type ConnectionSourceProps, type BoundSource } from './pipeline-source.ts';
export { BakeAndRollback, type BakeAndRollbackProps } from './bake-and-rollback.ts';
export { SiteDeployment, type CommandDeploymentProps, type LambdaAliasDeploymentProps } from './deployment.ts';
export { WebSite, apiBehavior, type WebSiteProps } from './web-site.ts';
export { ResultsTable, type ResultsTableProps } from './results-table.ts';
export { TestExecutors, playwrightImage, type TestExecutorsProps } from './test-executors.ts';
export { StatusSite, type StatusSiteProps } from './status-site.ts';
export { ApprovalGate, type ApprovalGateProps } from './approval-gate.ts';
export { PrivateBucket, type PrivateBucketProps } from './private-bucket.ts';
export { uigateLambdaCode, uigateStatusPage, uigatePlaywrightVersion, type LambdaCodeOptions } from './installed.ts';
export { acceptFindings, type AcceptedFinding } from './nag.ts';
