// How a team's site reaches the test environment and production. A folder of the build synced
// to an S3 + CloudFront site (WebSite) can be promoted and rolled back by uigate (releases kept
// under releases/<run>/ in its bucket); a test environment may also be deployed by any commands.
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { WebSite } from './web-site.ts';

export interface CommandDeploymentProps {
  /** Shell commands, run in the build's output folder, that deploy it to the test environment. */
  readonly commands: string[];
  /** The test environment's URL, the base URL of the run. */
  readonly url: string;
  /** Gives the Test stage's role what the commands need (it has nothing else). @default nothing */
  readonly grant?: (grantee: IGrantable) => void;
}

export abstract class SiteDeployment {
  /** A folder of the build (`dist`, say) synced to a WebSite's bucket and served by its distribution. */
  static s3Site(site: WebSite, directory: string): SiteDeployment {
    if (!/^[\w./-]+$/.test(directory) || directory.split('/').includes('..'))
      throw new Error(
        `uigate: SiteDeployment.s3Site directory must be a folder inside the build, e.g. "dist", got "${directory}"`,
      );
    return new (class extends SiteDeployment {
      readonly url = `https://${site.distribution.distributionDomainName}`;
      override readonly site = site;
      override readonly directory = directory;
      commands(): string[] {
        return [`aws s3 sync "${directory}" "s3://${site.bucket.bucketName}/" --delete`];
      }
      grant(grantee: IGrantable): void {
        site.bucket.grantReadWrite(grantee);
        site.bucket.grantDelete(grantee);
      }
    })();
  }

  /** Any commands that deploy the build to the test environment (not production: uigate could not roll them back). */
  static commands(props: CommandDeploymentProps): SiteDeployment {
    if (props.commands.length === 0)
      throw new Error(
        'uigate: SiteDeployment.commands needs at least one command, e.g. ["npm run deploy:test"]; got []',
      );
    return new (class extends SiteDeployment {
      readonly url = props.url;
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
  /** The Test stage's commands that deploy it. */
  abstract commands(): string[];
  /** What those commands need. */
  abstract grant(grantee: IGrantable): void;
}
