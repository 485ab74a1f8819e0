// Where a team's pipeline gets its code: a CodeConnections (CodeStar) connection to GitHub,
// GitLab or Bitbucket, or a CodeCommit repository. Either gives the commit and branch the run,
// its approval and the workers' source zip are bound to.
import type { IRepository } from 'aws-cdk-lib/aws-codecommit';
import type { ActionBindOptions, ActionConfig, Artifact, IAction, IStage } from 'aws-cdk-lib/aws-codepipeline';
import {
  CodeCommitSourceAction,
  CodeStarConnectionsSourceAction,
  type CodeStarConnectionsSourceActionProps,
} from 'aws-cdk-lib/aws-codepipeline-actions';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * Both service prefixes for a connection: connections made since 2024 have
 * `arn:aws:codeconnections:…` ARNs and IAM matches the action's prefix to them, while older ones
 * are `arn:aws:codestar-connections:…` (AWS CodeConnections user guide, "Service prefix change").
 * CDK's source action grants only the older prefix.
 */
const USE_CONNECTION = ['codestar-connections:UseConnection', 'codeconnections:UseConnection'];

const useConnection = (connectionArn: string) =>
  new PolicyStatement({ actions: USE_CONNECTION, resources: [connectionArn] });

/** CDK's CodeStar connections source action, allowed to use a connection of either prefix. */
class ConnectionSourceAction extends CodeStarConnectionsSourceAction {
  constructor(private readonly connection: CodeStarConnectionsSourceActionProps) {
    super(connection);
  }

  protected override bound(scope: Construct, stage: IStage, options: ActionBindOptions): ActionConfig {
    const config = super.bound(scope, stage, options);
    options.role.addToPrincipalPolicy(useConnection(this.connection.connectionArn));
    return config;
  }
}

export interface ConnectionSourceProps {
  /** ARN of the CodeConnections (CodeStar) connection. */
  readonly connectionArn: string;
  /** Owner of the repository (user or organisation). */
  readonly owner: string;
  readonly repo: string;
  /** @default 'main' */
  readonly branch?: string;
}

export interface BoundSource {
  readonly action: IAction;
  /** The commit the pipeline execution runs, as a pipeline variable. */
  readonly commitId: string;
  readonly branchName: string;
  /** The branch the action is configured with: what a manual start runs, and a trigger's default. */
  readonly branch: string;
  /** The commit's message, as a pipeline variable: what notifications say the release is. */
  readonly commitMessage: string;
  /**
   * Lets a build that takes the source as a full clone (CODEBUILD_CLONE_REF) use the connection
   * under either service prefix. Absent where the source needs no connection (CodeCommit).
   */
  readonly grantClone?: (grantee: IGrantable) => void;
}

export abstract class PipelineSource {
  /** A repository reached through a CodeConnections connection. */
  static connection(props: ConnectionSourceProps): PipelineSource {
    return new (class extends PipelineSource {
      bind(output: Artifact): BoundSource {
        const action = new ConnectionSourceAction({
          actionName: 'Checkout',
          connectionArn: props.connectionArn,
          owner: props.owner,
          repo: props.repo,
          branch: props.branch ?? 'main',
          output,
          // A full clone: `git archive` of the commit makes the workers' source zip.
          codeBuildCloneOutput: true,
        });
        return {
          action,
          branch: props.branch ?? 'main',
          commitId: action.variables.commitId,
          branchName: action.variables.branchName,
          commitMessage: action.variables.commitMessage,
          grantClone: (grantee) => void grantee.grantPrincipal.addToPrincipalPolicy(useConnection(props.connectionArn)),
        };
      }
    })();
  }

  /** A CodeCommit repository. */
  static codeCommit(repository: IRepository, branch = 'main'): PipelineSource {
    return new (class extends PipelineSource {
      bind(output: Artifact): BoundSource {
        const action = new CodeCommitSourceAction({
          actionName: 'Checkout',
          repository,
          branch,
          output,
          codeBuildCloneOutput: true,
        });
        const { commitId, branchName, commitMessage } = action.variables;
        return { action, branch, commitId, branchName, commitMessage };
      }
    })();
  }

  abstract bind(output: Artifact): BoundSource;
}
