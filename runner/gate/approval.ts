// Approval requests and votes, as rules: who may vote, on which release, in which state, and when a
// request is decided. Pure; the CLI, the status site and the CodePipeline bridge record what this
// allows as run events.
import { wroteCommit, type Person } from './person.ts';

/** What an approval promotes: never anything else, whatever is deployed meanwhile. */
export interface ReleaseCandidate {
  commit: string;
  /** Digest of the built artifact (e.g. sha256 of the Lambda package or site bundle). */
  artifactDigest?: string;
  pipelineExecutionId?: string;
}

export interface ApprovalRequest {
  runId: string;
  release: ReleaseCandidate;
  requestedAt: string;
  expiresAt: string;
  /** Distinct approvers needed. */
  requiredApprovals: number;
  /** Author of the commit: may not approve it when separation of duties is on. */
  author?: string;
  /** The commit's committer and co-authors ("Name <email>"): held to the author rule too. */
  contributors?: string[];
  /** The gate left screenshot changes to the approval: each needs a decision before it is approved. */
  visualReview?: true;
}

export interface Vote {
  approver: string;
  /** The verified person behind the approver (person.ts); votes are counted by it. Absent on old votes. */
  person?: string;
  decision: 'approved' | 'rejected';
  comment: string;
  at: string;
  release: ReleaseCandidate;
  /** The gate result the approver saw. */
  gatePassed: boolean;
  /** Approved although the gate failed, by an approver allowed to override. */
  override?: boolean;
  /** The screenshot changes (fingerprints) the approval was given with, each accepted. */
  visualAccepted?: string[];
}

export type RequestState = 'pending' | 'approved' | 'rejected' | 'expired' | 'superseded';

export interface ApprovalRules {
  /** Local approver names, or IAM ARNs; `*` matches any run of characters (an assumed role's session names). */
  approvers: readonly string[];
  /** Approvers who may approve a run whose gate failed (recorded as an override). */
  overriders?: readonly string[];
  /** @default false */
  authorMayApprove?: boolean;
  /** Role names whose session names an identity provider sets (person.ts). */
  personRoles?: readonly string[];
}

const personKey = (vote: Vote) => vote.person ?? vote.approver;

export function requestState(
  request: ApprovalRequest,
  votes: readonly Vote[],
  now: Date,
  superseded: boolean,
): RequestState {
  if (votes.some((vote) => vote.decision === 'rejected')) return 'rejected';
  const approvers = new Set(votes.filter((vote) => vote.decision === 'approved').map(personKey));
  if (approvers.size >= request.requiredApprovals) return 'approved';
  if (superseded) return 'superseded';
  if (now.getTime() >= Date.parse(request.expiresAt)) return 'expired';
  return 'pending';
}

/** Tells whether an identity is on an allow-list whose entries may end in or contain `*`. */
export function isListed(identity: string, list: readonly string[]): boolean {
  return list.some((entry) =>
    entry.includes('*')
      ? new RegExp(`^${entry.split('*').map(escapeRegExp).join('.*')}$`).test(identity)
      : entry === identity,
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const sameRelease = (a: ReleaseCandidate, b: ReleaseCandidate) =>
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
  /** Who the approver is (person.ts): counted once, held to the author rule. */
  person: Person;
  decision: Vote['decision'];
  comment: string;
  release: ReleaseCandidate;
  gatePassed: boolean;
  override?: boolean;
}

/** Keeps duties separate: nobody approves a commit they wrote, and a voter who cannot be told apart from its author does not either. */
function authorCheck({ request, rules, approver, person }: VoteInput): VoteCheck | undefined {
  if (rules.authorMayApprove ?? false) return undefined;
  if (!person.verified)
    return {
      accepted: false,
      status: 403,
      reason: `${approver} is a session of a shared role whose session names the caller chooses, so uigate cannot tell whether its author approves: approve through IAM Identity Center or as an IAM user, list the role in approval.personRoles if your identity provider names its sessions, or set approval.authorMayApprove`,
    };
  const contributors = [...(request.author ? [request.author] : []), ...(request.contributors ?? [])];
  if (wroteCommit(person, contributors))
    return {
      accepted: false,
      status: 403,
      reason: `${approver} wrote this commit and may not approve it (separation of duties)`,
    };
  return undefined;
}

/**
 * Decides whether an approver may decide on the request's screenshot changes: as for an approval
 * — listed, the request's release, still pending, not its author — but with no gate to pass.
 */
export function mayDecideVisual(input: Omit<VoteInput, 'decision' | 'gatePassed' | 'comment'>): VoteCheck | undefined {
  const full: VoteInput = { ...input, decision: 'approved', gatePassed: true, comment: '-' };
  if (!isListed(input.approver, input.rules.approvers))
    return { accepted: false, status: 403, reason: `${input.approver} is not an allowed approver` };
  if (!sameRelease(input.release, input.request.release))
    return { accepted: false, status: 409, reason: 'the request is for another release than the one on the page' };
  const state = requestState(input.request, input.votes, input.now, input.superseded);
  if (state !== 'pending')
    return { accepted: false, status: 409, reason: `the request is ${state}; it can no longer be decided` };
  return authorCheck(full);
}

/** Decides whether a vote may be recorded, and returns the vote to record. Refusals say why, for the approver. */
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
  const person = input.person;
  const already = input.votes.find((vote) => personKey(vote) === person.id && vote.decision === input.decision);
  if (already) return { accepted: true, duplicate: true };
  const state = requestState(request, input.votes, input.now, input.superseded);
  if (state !== 'pending')
    return { accepted: false, status: 409, reason: `the request is ${state}; it can no longer be decided` };
  let override = false;
  if (input.decision === 'approved') {
    const authorRule = authorCheck(input);
    if (authorRule) return authorRule;
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
      person: person.id,
      decision: input.decision,
      comment: input.comment.trim(),
      at: input.now.toISOString(),
      release: input.release,
      gatePassed: input.gatePassed,
      ...(override ? { override } : {}),
    },
  };
}
