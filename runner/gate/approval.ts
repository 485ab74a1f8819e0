// Approval requests and votes, as rules: who may vote, on which release, in which state, and when a
// request is decided. Pure; the CLI, the status site and the CodePipeline bridge record what this
// allows as run events.

/** What an approval promotes: never anything else, whatever is deployed meanwhile. */
export interface Release {
  commit: string;
  /** Digest of the built artifact (e.g. sha256 of the Lambda package or site bundle). */
  artifactDigest?: string;
  pipelineExecutionId?: string;
}

export interface ApprovalRequest {
  runId: string;
  release: Release;
  requestedAt: string;
  expiresAt: string;
  /** Distinct approvers needed. */
  requiredApprovals: number;
  /** Author of the commit: may not approve it when separation of duties is on. */
  author?: string;
}

export interface Vote {
  approver: string;
  decision: 'approved' | 'rejected';
  comment: string;
  at: string;
  release: Release;
  /** The gate result the approver saw. */
  gatePassed: boolean;
  /** Approved although the gate failed, by an approver allowed to override. */
  override?: boolean;
}

export type RequestState = 'pending' | 'approved' | 'rejected' | 'expired' | 'superseded';

export interface ApprovalRules {
  /** Local approver names, or IAM ARNs; `*` matches any run of characters (an assumed role's session names). */
  approvers: readonly string[];
  /** Approvers who may approve a run whose gate failed (recorded as an override). */
  overriders?: readonly string[];
  /** @default false */
  authorMayApprove?: boolean;
}

export function requestState(
  request: ApprovalRequest,
  votes: readonly Vote[],
  now: Date,
  superseded: boolean,
): RequestState {
  if (votes.some((vote) => vote.decision === 'rejected')) return 'rejected';
  const approvers = new Set(votes.filter((vote) => vote.decision === 'approved').map((vote) => vote.approver));
  if (approvers.size >= request.requiredApprovals) return 'approved';
  if (superseded) return 'superseded';
  if (now.getTime() >= Date.parse(request.expiresAt)) return 'expired';
  return 'pending';
}

/** Whether an identity is on an allow-list whose entries may end in or contain `*`. */
export function isListed(identity: string, list: readonly string[]): boolean {
  return list.some((entry) =>
    entry.includes('*')
      ? new RegExp(`^${entry.split('*').map(escapeRegExp).join('.*')}$`).test(identity)
      : entry === identity,
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether an approver wrote the commit. The author is recorded as git prints it, "Name <email>";
 * an approver matches by name, email, or an IAM session named after either.
 */
export function isAuthor(approver: string, author: string | undefined): boolean {
  if (!author) return false;
  const match = /^(.*?)\s*<([^>]*)>$/.exec(author.trim());
  const names = (match ? [match[1]!, match[2]!] : [author]).map((name) => name.trim().toLowerCase()).filter(Boolean);
  const session = approver.includes('/') ? approver.split('/').pop()! : approver;
  return names.includes(approver.toLowerCase()) || names.includes(session.toLowerCase());
}

export const sameRelease = (a: Release, b: Release) =>
  a.commit === b.commit &&
  (a.artifactDigest ?? '') === (b.artifactDigest ?? '') &&
  (a.pipelineExecutionId ?? '') === (b.pipelineExecutionId ?? '');

export type VoteCheck =
  | { accepted: true; vote: Vote }
  | { accepted: true; duplicate: true }
  | { accepted: false; status: 403 | 409; reason: string };

export interface VoteInput {
  request: ApprovalRequest;
  votes: readonly Vote[];
  superseded: boolean;
  now: Date;
  rules: ApprovalRules;
  approver: string;
  decision: Vote['decision'];
  comment: string;
  release: Release;
  gatePassed: boolean;
  override?: boolean;
}

/** Whether a vote may be recorded, and the vote to record. Refusals say why, for the approver. */
export function checkVote(input: VoteInput): VoteCheck {
  const { request, rules, approver } = input;
  if (!isListed(approver, rules.approvers))
    return { accepted: false, status: 403, reason: `${approver} is not an allowed approver` };
  if (!input.comment.trim())
    return {
      accepted: false,
      status: 409,
      reason: `a ${input.decision === 'approved' ? 'approval' : 'rejection'} needs a comment saying why`,
    };
  if (!sameRelease(input.release, request.release)) {
    return {
      accepted: false,
      status: 409,
      reason: `this request is for commit ${request.release.commit.slice(0, 12)}${request.release.pipelineExecutionId ? ` (execution ${request.release.pipelineExecutionId})` : ''}, not ${input.release.commit.slice(0, 12)}`,
    };
  }
  const already = input.votes.find((vote) => vote.approver === approver && vote.decision === input.decision);
  if (already) return { accepted: true, duplicate: true };
  const state = requestState(request, input.votes, input.now, input.superseded);
  if (state !== 'pending')
    return { accepted: false, status: 409, reason: `the request is ${state}; it can no longer be decided` };
  let override = false;
  if (input.decision === 'approved') {
    if (!(rules.authorMayApprove ?? false) && isAuthor(approver, request.author)) {
      return {
        accepted: false,
        status: 403,
        reason: `${approver} wrote this commit and may not approve it (separation of duties)`,
      };
    }
    if (!input.gatePassed) {
      if (!input.override)
        return {
          accepted: false,
          status: 409,
          reason: 'the run failed its gate policy; an allowed approver may override it explicitly',
        };
      if (!isListed(approver, rules.overriders ?? []))
        return { accepted: false, status: 403, reason: `${approver} may not override a failed gate` };
      override = true;
    }
  }
  return {
    accepted: true,
    vote: {
      approver,
      decision: input.decision,
      comment: input.comment.trim(),
      at: input.now.toISOString(),
      release: input.release,
      gatePassed: input.gatePassed,
      ...(override ? { override } : {}),
    },
  };
}
