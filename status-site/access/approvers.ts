// How the status site knows who decides: under Node, a local approver's bearer token checked
// against .uigate/approvers.json; in Lambda, the IAM caller that the function URL's AWS_IAM auth
// already verified. Both feed the same approval route and rules.
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { Context } from 'hono';
import type { ResolvedConfig, ApprovalSettings } from '../../runner/config/config.ts';
import { CodePipelineApproval } from '../../runner/gate/codepipeline.ts';
import { authenticateToken, localPerson } from '../../runner/gate/identity.ts';
import { createNotifier, runLink } from '../../runner/notify/from-config.ts';
import type { DecideDeps } from '../../runner/gate/approvals.ts';
import type { Person } from '../../runner/gate/person.ts';

/** What the approval route needs to take a decision: the settings, who is asking, and where the answer goes. */
export interface ApprovalOptions {
  settings: ApprovalSettings;
  /** Who is asking, or undefined when the request carries no valid identity. */
  authenticate(c: Context): Promise<string | undefined>;
  /** The person behind an authenticated approver, when the identity alone does not say (local tokens). */
  person?: (approver: string) => Person;
  pipeline?: DecideDeps['pipeline'];
  notifier?: DecideDeps['notifier'];
  link?: DecideDeps['link'];
}

export const bearerToken = (c: Context) => /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];

type ApprovalConfig = Pick<ResolvedConfig, 'approval' | 'notify'>;

function options(
  config: ApprovalConfig,
  authenticate: ApprovalOptions['authenticate'],
  terminal?: NodeJS.WritableStream,
  localUrl?: () => string | undefined,
): ApprovalOptions {
  const { pipeline } = config.approval;
  return {
    settings: config.approval,
    authenticate,
    pipeline: pipeline
      ? new CodePipelineApproval(new CodePipelineClient({ region: pipeline.region }), pipeline)
      : undefined,
    notifier: createNotifier(config, terminal),
    link: (runId) => runLink(config, runId, localUrl?.()),
  };
}

export function localApprovals(
  config: ApprovalConfig & Pick<ResolvedConfig, 'home'>,
  terminal: NodeJS.WritableStream,
  localUrl?: () => string | undefined,
): ApprovalOptions {
  return {
    ...options(config, async (c) => authenticateToken(config.home, bearerToken(c)), terminal, localUrl),
    person: localPerson,
  };
}

type IamEvent = { requestContext?: { authorizer?: { iam?: { userArn?: string } } } };

/** Only a user or role of an account counts; a service principal (CloudFront's, say) decides nothing. */
const IAM_CALLER = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(user|role|assumed-role)\/\S+$/;

/** Reads the IAM caller the function URL's AWS_IAM auth verified, when it is a user or role. */
export async function iamCaller(c: Context): Promise<string | undefined> {
  const arn = (c.env as { event?: IamEvent } | undefined)?.event?.requestContext?.authorizer?.iam?.userArn;
  return arn && IAM_CALLER.test(arn) ? arn : undefined;
}

export function iamApprovals(config: ApprovalConfig): ApprovalOptions {
  return options(config, iamCaller);
}
