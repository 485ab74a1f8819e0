// How a team's site reaches the test environment and production. A folder of the build synced
// to an S3 + CloudFront site (WebSite), or uploaded as the code of a Lambda function behind an
// alias, can be promoted and rolled back by uigate (a site's releases kept under releases/<run>/
// in its bucket, a function's as its published versions); a test environment may also be deployed
// by any commands.
import { Annotations } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IAlias } from 'aws-cdk-lib/aws-lambda';
import type { WebSite } from './web-site.ts';

export interface CommandDeploymentProps {
  /**
   * Shell commands, run in the build's folder, that deploy it. In production they deploy the
   * release whose files `$UIGATE_RELEASE_DIR` names (a copy of `directory` kept by uigate), and run
   * again with the last good release's files to roll back.
   */
  readonly commands: string[];
  /** The test environment's URL, the base URL of the run. */
  readonly url: string;
  /** Gives the stage's role what the commands need (it has nothing else). @default nothing */
  readonly grant?: (grantee: IGrantable) => void;
  /**
   * The build's folder that is the release: what the approval is bound to and what uigate keeps
   * for a rollback. Needed for production. @default none — a test environment only
   */
  readonly directory?: string;
  /**
   * The CloudFront distribution in front of what the commands deploy: after each promotion and
   * rollback uigate invalidates the entry paths that changed (not hashed assets) and waits until
   * every edge has dropped them, so the bake measures the release just made live. @default none
   */
  readonly distribution?: IDistribution;
}

export interface LambdaAliasDeploymentProps {
  /**
   * The alias that serves the app. uigate moves it from one published version to the next; create
   * it on a fixed first version (`new lambda.Version(...)`), not `fn.currentVersion`, or a
   * `cdk deploy` that changes the function's code would move it past the gate.
   */
  readonly alias: IAlias;
  /** The build's folder that is the function's code (bundled: at most 50 MB zipped). */
  readonly directory: string;
  /** Where the alias answers: its function URL (`alias.addFunctionUrl().url`) or an API in front of it. */
  readonly url: string;
}

export abstract class SiteDeployment {
  /** A folder of the build (`dist`, say) synced to a WebSite's bucket and served by its distribution. */
  static s3Site(site: WebSite, directory: string): SiteDeployment {
    checkDirectory('s3Site', directory);
    return new (class extends SiteDeployment {
      readonly url = `https://${site.distribution.distributionDomainName}`;
      override readonly site = site;
      override readonly directory = directory;
      override readonly releaseTarget = `s3://${site.bucket.bucketName}`;
      override readonly distribution = site.distribution;
      commands(): string[] {
        return [`aws s3 sync "${directory}" "s3://${site.bucket.bucketName}/" --delete`];
      }
      grant(grantee: IGrantable): void {
        site.bucket.grantReadWrite(grantee);
        site.bucket.grantDelete(grantee);
      }
    })();
  }

  /**
   * A folder of the build uploaded as the code of the function behind `alias`, published as a
   * version and served by moving the alias: in the test environment with the AWS CLI, in
   * production by `uigate promote`, which binds the version to the approved folder and rolls the
   * alias back to the last good version.
   */
  static lambdaAlias(props: LambdaAliasDeploymentProps): SiteDeployment {
    checkDirectory('lambdaAlias', props.directory);
    const fn = props.alias.version.lambda.functionName;
    const alias = props.alias.aliasName;
    warnOnCurrentVersion(props.alias);
    return new (class extends SiteDeployment {
      readonly url = props.url;
      override readonly directory = props.directory;
      override readonly releaseTarget = `lambda:${fn}:${alias}`;
      commands(): string[] {
        // One line: the published version's number is needed by the next call. The waits are the
        // CLI's function-updated-v2 waiter (GetFunction): an update in progress refuses another.
        return [
          [
            `rm -f /tmp/uigate-function.zip`,
            `(cd "${props.directory}" && zip -qr /tmp/uigate-function.zip .)`,
            `aws lambda wait function-updated-v2 --function-name "${fn}"`,
            `SHA=$(aws lambda update-function-code --function-name "${fn}" --zip-file fileb:///tmp/uigate-function.zip --query CodeSha256 --output text)`,
            `aws lambda wait function-updated-v2 --function-name "${fn}"`,
            `VERSION=$(aws lambda publish-version --function-name "${fn}" --code-sha256 "$SHA" --query Version --output text)`,
            `aws lambda update-alias --function-name "${fn}" --name "${alias}" --function-version "$VERSION" --routing-config '{"AdditionalVersionWeights":{}}'`,
          ].join(' && '),
        ];
      }
      grant(grantee: IGrantable): void {
        grantAliasDeployment(grantee, props.alias);
      }
    })();
  }

  /**
   * Any commands that deploy the build. With `directory`, also production: uigate keeps each
   * release's folder and rolls back by running the commands again with the last good one's.
   */
  static commands(props: CommandDeploymentProps): SiteDeployment {
    if (props.commands.length === 0)
      throw new Error(
        'uigate: SiteDeployment.commands needs at least one command, e.g. ["npm run deploy:test"]; got []',
      );
    if (props.directory !== undefined) checkDirectory('commands', props.directory);
    return new (class extends SiteDeployment {
      readonly url = props.url;
      override readonly directory = props.directory;
      override readonly releaseTarget = props.directory ? 'command:production' : undefined;
      override readonly deployCommand = props.commands.join(' && ');
      override readonly distribution = props.distribution;
      commands(): string[] {
        return props.commands;
      }
      grant(grantee: IGrantable): void {
        props.grant?.(grantee);
      }
    })();
  }

  /** Where the deployed site answers. */
  abstract readonly url: string;
  /** The S3 + CloudFront site, when uigate can promote to it and roll it back. */
  readonly site?: WebSite;
  /** The build's folder that is the site, when uigate can digest and promote it. */
  readonly directory?: string;
  /** What `uigate promote` and `uigate verify --target` name, when uigate can roll it back. */
  readonly releaseTarget?: string;
  /** The CloudFront distribution whose entry paths are invalidated on each promotion and rollback. */
  readonly distribution?: IDistribution;
  /** For a command target: what deploys a release's files (`--deploy-command`). */
  readonly deployCommand?: string;
  /** The Test stage's commands that deploy it. */
  abstract commands(): string[];
  /** What those commands need. */
  abstract grant(grantee: IGrantable): void;
}

function checkDirectory(kind: string, directory: string): void {
  if (!/^[\w.-][\w./-]*$/.test(directory) || directory.split('/').includes('..'))
    throw new Error(
      `uigate: SiteDeployment.${kind} directory must be a folder inside the build, e.g. "dist", got "${directory}"`,
    );
}

/** An alias on the function's currentVersion is moved by every `cdk deploy` that changes the code. */
function warnOnCurrentVersion(alias: IAlias): void {
  const version = alias.version;
  if (version.node.id === 'CurrentVersion' && version.node.scope === version.lambda)
    Annotations.of(alias).addWarningV2(
      'uigate:alias-on-current-version',
      `${alias.node.path} is on its function's currentVersion: a cdk deploy that changes the code moves it past uigate's gate. Create it on a fixed first version (new lambda.Version(...)) and let the pipeline move it.`,
    );
}

/**
 * Upload, publish and move the alias of exactly this function. The Lambda guide ("Fine-tuning the
 * Resources and Conditions sections of policies"): actions on a function can be restricted by
 * function, version or alias ARN — both the function's ARN and its qualified ARNs (`:*`, its
 * versions and aliases) are granted, so whichever one an action is authorised against, it is this
 * function only.
 */
function grantAliasDeployment(grantee: IGrantable, alias: IAlias): void {
  const functionArn = alias.version.lambda.functionArn;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:UpdateFunctionCode',
        'lambda:PublishVersion',
        'lambda:GetAlias',
        'lambda:UpdateAlias',
      ],
      resources: [functionArn, `${functionArn}:*`],
    }),
  );
}
