// Where a team's pipeline gets its code: a CodeConnections (CodeStar) connection to GitHub,
// GitLab or Bitbucket, or a CodeCommit repository. Either gives the commit and branch the run,
// its approval and the workers' source zip are bound to.
import type { IRepository } from 'aws-cdk-lib/aws-codecommit';
import type { Artifact, IAction } from 'aws-cdk-lib/aws-codepipeline';
import { CodeCommitSourceAction, CodeStarConnectionsSourceAction } from 'aws-cdk-lib/aws-codepipeline-actions';

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
}

export abstract class PipelineSource {
  /** A repository reached through a CodeConnections connection. */
  static connection(props: ConnectionSourceProps): PipelineSource {
    return new (class extends PipelineSource {
      bind(output: Artifact): BoundSource {
        const action = new CodeStarConnectionsSourceAction({
          actionName: 'Checkout',
          connectionArn: props.connectionArn,
          owner: props.owner,
          repo: props.repo,
          branch: props.branch ?? 'main',
          output,
          // A full clone: `git archive` of the commit makes the workers' source zip.
          codeBuildCloneOutput: true,
        });
        return { action, commitId: action.variables.commitId, branchName: action.variables.branchName };
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
        return { action, commitId: action.variables.commitId, branchName: action.variables.branchName };
      }
    })();
  }

  abstract bind(output: Artifact): BoundSource;
}
