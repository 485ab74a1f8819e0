// A mono-repo's lower environments: from uigate.config.ts's `components`, one CodePipeline V2
// pipeline per component, started only by a push that touches the component's paths (or a file
// that means the whole suite), which builds, deploys to the component's environment and runs
// `uigate run --changed` — each component compared with its own last passing run. Every push is
// tested (QUEUED: SUPERSEDED would skip executions). UigatePipeline stays the one pipeline that
// promotes to production, on the whole suite.
//
// CodePipeline's limits, as CDK checks them (aws-codepipeline/lib/private/validation.js) and the
// API documents them (GitFilePathFilterCriteria: 1 to 8 patterns; GitConfiguration: at most 3
// push filters): a component's patterns are split into filters of 8, and more than 24 are refused
// with the limit named. File-path filters exist only for CodeConnections sources (CodePipeline
// user guide, "Add trigger with code push or pull request event types"). The glob language
// (CodePipeline user guide, "Working with glob patterns in syntax"): `*` within a path segment,
// `**` across segments — as picomatch matches them, which `uigate affected` uses.
import { Duration } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import { Artifact, ExecutionMode, type GitPushFilter, Pipeline, ProviderType } from 'aws-cdk-lib/aws-codepipeline';
import { CodeBuildAction } from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import type { SiteDeployment } from './deployment.ts';
import { acceptFindings, GRANT_WILDCARDS } from './nag.ts';
import { CODEBUILD_RUNTIME } from './node-runtime.ts';
import {
  DEFAULT_BUILD,
  grantOrchestrator,
  junitReports,
  NODE_IMAGE,
  orchestratorVariables,
  pipelineBasics,
  runCommand,
  sourceForWorkers,
  testVariables,
  type PipelineExecutor,
} from './pipeline-parts.ts';
import type { PipelineSource } from './pipeline-source.ts';
import type { Uigate } from './uigate.ts';
import { checkNonEmpty } from './validate.ts';
import { ALWAYS_GLOBAL } from '../runner/config/components.ts';
import { ENV } from '../runner/core/env.ts';

const PATTERNS_PER_FILTER = 8;
const FILTERS_PER_TRIGGER = 3;

export interface ComponentEnvironment {
  /** How the component's build reaches its lower environment, which its tests run against. */
  readonly testEnvironment: SiteDeployment;
  /** Commands that install and build the app for this component. @default the construct's buildCommands */
  readonly buildCommands?: string[];
}

export interface UigateComponentPipelinesProps {
  /** The results store, executors and status site the pipelines use (the promotion pipeline's own). */
  readonly uigate: Uigate;
  /** The repository, through a CodeConnections connection: PipelineSource.connection(...). */
  readonly source: PipelineSource;
  /** uigate.config.ts's `components` (`loadConfig(dir).components`): each one's paths. */
  readonly components: Readonly<Record<string, { readonly paths: readonly string[] }>>;
  /**
   * uigate.config.ts's `changes`: its `global` files start every component's pipeline, and so does
   * a file no component owns unless `unmapped` is 'ignore' (as `uigate affected` says: whole suite).
   */
  readonly changes?: { readonly global?: readonly string[]; readonly unmapped?: 'all' | 'ignore' };
  /** Each component's lower environment, by component name: one for every component. */
  readonly environments: Readonly<Record<string, ComponentEnvironment>>;
  /** The branches whose pushes start the pipelines (CodePipeline needs branches with file paths). @default the source's branch */
  readonly branches?: string[];
  /** @default ['npm ci --no-audit --no-fund', 'npm run build --if-present'] */
  readonly buildCommands?: string[];
  /** Where the tests run. @default ['codebuild', 'lambda'] */
  readonly executors?: PipelineExecutor[];
  /** @default 'npx --no-install uigate' */
  readonly uigateCommand?: string;
}

/** The run's variables a component pipeline hands on, for whoever adds a stage after it. */
const EXPORTED = [ENV.runId, ENV.summary, ENV.commit, ENV.branch, ENV.runUrl];

export class UigateComponentPipelines extends Construct {
  /** Each component's pipeline, by component name. */
  readonly pipelines: Record<string, Pipeline> = {};
  /** Each component's build-and-test project, by component name. */
  readonly projects: Record<string, PipelineProject> = {};

  constructor(scope: Construct, id: string, props: UigateComponentPipelinesProps) {
    super(scope, id);
    checkProps(props);
    for (const name of Object.keys(props.components)) this.addComponent(name, props);
    acceptFindings(this, [GRANT_WILDCARDS]);
  }

  private addComponent(name: string, props: UigateComponentPipelinesProps): void {
    const environment = props.environments[name]!;
    const scope = new Construct(this, name);
    const source = new Artifact('Source');
    const checkout = props.source.bind(source);
    if (checkout.action.actionProperties.provider !== ProviderType.CODE_STAR_SOURCE_CONNECTION)
      throw new Error(
        'uigate: UigateComponentPipelines needs PipelineSource.connection(...): CodePipeline filters pushes by file path only for CodeConnections sources, and a CodeCommit source would start every component on every push',
      );
    const pipelineName = `${props.uigate.name}-${name}`;
    const project = this.testProject(scope, name, environment, props);
    checkout.grantClone?.(project);
    const test = new CodeBuildAction({
      actionName: 'BuildAndTest',
      project,
      input: source,
      variablesNamespace: 'UiTests',
      environmentVariables: testVariables(checkout, pipelineName),
    });
    const branches = props.branches ?? [checkout.branch];
    this.projects[name] = project;
    this.pipelines[name] = new Pipeline(scope, 'Pipeline', {
      pipelineName,
      ...pipelineBasics(props.uigate),
      executionMode: ExecutionMode.QUEUED,
      stages: [
        { stageName: 'Source', actions: [checkout.action] },
        { stageName: 'Test', actions: [test] },
      ],
      triggers: [
        {
          providerType: ProviderType.CODE_STAR_SOURCE_CONNECTION,
          gitConfiguration: {
            sourceAction: checkout.action,
            pushFilter: pushFilters(name, props.components, props.changes ?? {}, branches),
          },
        },
      ],
    });
  }

  /**
   * Build, deploy and test in one CodeBuild job: the job right after the source is the one that
   * gets the full clone (codeBuildCloneOutput: "the next CodeBuild job clones the repository…
   * This provides access to repository history", CDK's CodeStarConnectionsSourceAction), and
   * `--changed` needs the history to compare with each component's last passing run.
   */
  private testProject(
    scope: Construct,
    name: string,
    environment: ComponentEnvironment,
    props: UigateComponentPipelinesProps,
  ) {
    const { uigate } = props;
    const cli = props.uigateCommand ?? 'npx --no-install uigate';
    const project = new PipelineProject(scope, 'BuildAndTest', {
      description: `uigate: builds ${name}, deploys it to its environment and runs the tests its change needs`,
      environment: {
        buildImage: NODE_IMAGE,
        computeType: ComputeType.MEDIUM,
        environmentVariables: orchestratorVariables(uigate, environment.testEnvironment),
      },
      encryptionKey: uigate.key,
      timeout: Duration.minutes(90),
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': EXPORTED },
        phases: {
          install: { ...CODEBUILD_RUNTIME },
          build: {
            commands: [
              ...(environment.buildCommands ?? props.buildCommands ?? DEFAULT_BUILD),
              ...environment.testEnvironment.commands(),
              ...sourceForWorkers(),
              'mkdir -p reports',
              // No gate follows: any failure — a failed test among them — fails the pipeline.
              runCommand(cli, props.executors ?? ['codebuild', 'lambda'], ['--changed']),
              'set -a && . reports/run.env && set +a',
            ],
          },
        },
        reports: junitReports(uigate),
      }),
    });
    grantOrchestrator(project, uigate, environment.testEnvironment);
    return project;
  }
}

/**
 * What starts a component's pipeline, as push filters on `branches`: its own paths, the config's
 * global files and uigate's, 8 to a filter; and, unless unmapped changes are ignored, any file no
 * component owns (`**` but every component's paths: CodePipeline's excludes take priority over
 * its includes). A push that matches any filter starts it.
 */
export function pushFilters(
  name: string,
  components: UigateComponentPipelinesProps['components'],
  changes: NonNullable<UigateComponentPipelinesProps['changes']>,
  branches: string[],
): GitPushFilter[] {
  const patterns = [...new Set([...components[name]!.paths, ...(changes.global ?? []), ...ALWAYS_GLOBAL])];
  const filters: GitPushFilter[] = [];
  for (let i = 0; i < patterns.length; i += PATTERNS_PER_FILTER)
    filters.push({ branchesIncludes: branches, filePathsIncludes: patterns.slice(i, i + PATTERNS_PER_FILTER) });
  const owned = [...new Set(Object.values(components).flatMap((component) => component.paths))];
  if (changes.unmapped !== 'ignore') {
    if (owned.length > PATTERNS_PER_FILTER)
      throw new Error(
        `uigate: the components own ${owned.length} path patterns, but a trigger for files no component owns can exclude at most ${PATTERNS_PER_FILTER}: merge some into wider globs, or set changes.unmapped: 'ignore'`,
      );
    filters.push({ branchesIncludes: branches, filePathsIncludes: ['**'], filePathsExcludes: owned });
  }
  if (filters.length > FILTERS_PER_TRIGGER)
    throw new Error(
      `uigate: component ${name} needs ${filters.length} push filters (${patterns.length} file-path patterns — its paths, changes.global and uigate's ${ALWAYS_GLOBAL.length} global files — ${PATTERNS_PER_FILTER} to a filter${changes.unmapped !== 'ignore' ? ', and one for files no component owns' : ''}), but a CodePipeline trigger takes at most ${FILTERS_PER_TRIGGER}: merge some into wider globs`,
    );
  return filters;
}

function checkProps(props: UigateComponentPipelinesProps): void {
  const names = Object.keys(props.components);
  checkNonEmpty('components', names, "{ web: { paths: ['apps/web/**'] } }");
  for (const name of names)
    if (!props.environments[name])
      throw new Error(
        `uigate: environments.${name} is missing: each component needs the environment its pipeline deploys to and tests, e.g. { testEnvironment: SiteDeployment.s3Site(site, 'apps/${name}/dist') }`,
      );
  for (const name of Object.keys(props.environments))
    if (!props.components[name])
      throw new Error(`uigate: environments.${name} names no component (components: ${names.join(', ')})`);
  if (props.branches) checkNonEmpty('branches', props.branches, "['main']");
  if (props.executors) checkNonEmpty('executors', props.executors, "['codebuild', 'lambda']");
}
