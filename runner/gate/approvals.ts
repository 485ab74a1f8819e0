// Approval requests and decisions kept as run events: opening a request (and superseding older
// pending ones), reading a run's approval state, and recording a vote. The CLI, the status site and
// the pipeline's gate function all go through here, so the rules are the same wherever one decides.
import type { ApprovalSettings } from '../config/config.ts';
import type { RunEvent, RunMeta } from '../core/model.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { ResultStore } from '../store/result-store.ts';
import {
  checkVote,
  requestState,
  type ApprovalRequest,
  type Release,
  type RequestState,
  type Vote,
} from './approval.ts';
import type { PipelineApproval } from './codepipeline.ts';
import type { GateDecision, RuleResult } from './policy.ts';

export const EVENT = {
  requested: 'approval-requested',
  superseded: 'approval-superseded',
  vote: 'approval-vote',
  decided: 'approval-decided',
} as const;

export interface ApprovalView {
  runId: string;
  state: RequestState | 'none';
  request?: ApprovalRequest;
  /** The gate result the request was opened with: what an approver sees next to the button. */
  gate?: { passed: boolean; rules: RuleResult[] };
  votes: Vote[];
  supersededBy?: string;
  decided?: { state: 'approved' | 'rejected'; at: string; override: boolean; pipeline?: string };
}

export const releaseOf = (run: RunMeta): Release => ({
  commit: run.commit ?? 'unknown',
  ...(run.artifactDigest ? { artifactDigest: run.artifactDigest } : {}),
  ...(run.pipelineExecutionId ? { pipelineExecutionId: run.pipelineExecutionId } : {}),
});

export function approvalView(runId: string, events: readonly RunEvent[], now: Date): ApprovalView {
  const requested = events.filter((event) => event.type === EVENT.requested).at(-1);
  if (!requested) return { runId, state: 'none', votes: [] };
  const detail = requested.detail as unknown as {
    request: ApprovalRequest;
    gate: { passed: boolean; rules: RuleResult[] };
  };
  const votes = events.filter((event) => event.type === EVENT.vote).map((event) => event.detail as unknown as Vote);
  const superseded = events.find((event) => event.type === EVENT.superseded);
  const decided = events.find((event) => event.type === EVENT.decided);
  const view: ApprovalView = {
    runId,
    request: detail.request,
    gate: detail.gate,
    votes,
    state: requestState(detail.request, votes, now, Boolean(superseded)),
    ...(superseded ? { supersededBy: String(superseded.detail?.by) } : {}),
  };
  // A recorded decision is final, whatever votes raced in after it.
  if (decided) {
    view.decided = decided.detail as unknown as ApprovalView['decided'];
    view.state = view.decided!.state;
  }
  return view;
}

export async function loadApproval(store: ResultStore, runId: string, now = new Date()): Promise<ApprovalView> {
  return approvalView(runId, await store.listEvents(runId), now);
}

export interface OpenRequestInput {
  store: ResultStore;
  run: RunMeta;
  gate: GateDecision;
  settings: ApprovalSettings;
  actor: string;
  now?: Date;
  notifier?: Notifier;
  link?: string;
}

/**
 * Opens the run's approval request (once: a second call returns the first) and supersedes older
 * pending requests on the same branch, which can then never be approved.
 */
export async function openRequest(input: OpenRequestInput): Promise<{ view: ApprovalView; superseded: string[] }> {
  const { store, run, settings } = input;
  const now = input.now ?? new Date();
  const request: ApprovalRequest = {
    runId: run.runId,
    release: releaseOf(run),
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + settings.expiresAfterHours * 3_600_000).toISOString(),
    requiredApprovals: settings.requiredApprovals,
    ...(run.author ? { author: run.author } : {}),
  };
  const opened = await store.addEvent(
    {
      runId: run.runId,
      at: now.toISOString(),
      type: EVENT.requested,
      actor: input.actor,
      detail: { request, gate: { passed: input.gate.passed, rules: input.gate.rules } } as unknown as Record<
        string,
        unknown
      >,
    },
    { once: 'requested' },
  );
  const superseded: string[] = [];
  if (opened) {
    const { items } = await store.listRuns({ limit: 50 });
    for (const older of items.filter((r) => r.runId < run.runId && r.branch === run.branch)) {
      const view = await loadApproval(store, older.runId, now);
      if (view.state !== 'pending') continue;
      const marked = await store.addEvent(
        {
          runId: older.runId,
          at: now.toISOString(),
          type: EVENT.superseded,
          actor: input.actor,
          detail: { by: run.runId },
        },
        { once: 'superseded' },
      );
      if (marked) superseded.push(older.runId);
    }
    await input.notifier?.notify({
      kind: 'approval-requested',
      run,
      link: input.link,
      reason: input.gate.passed ? undefined : 'the gate policy failed: only an explicit override can approve it',
    });
  }
  return { view: await loadApproval(store, run.runId, now), superseded };
}

export interface DecideInput {
  runId: string;
  approver: string;
  decision: Vote['decision'];
  comment: string;
  override?: boolean;
  /** The commit the approver saw; the request's when not given. */
  commit?: string;
  now?: Date;
}

export interface DecideDeps {
  store: ResultStore;
  settings: ApprovalSettings;
  pipeline?: PipelineApproval;
  notifier?: Notifier;
  link?: (runId: string) => string | undefined;
}

export type DecideResult =
  { ok: true; duplicate: boolean; view: ApprovalView } | { ok: false; status: 403 | 404 | 409 | 502; reason: string };

/** The approval rules (approval.ts) applied to this vote on this request. */
function voteCheck(
  input: DecideInput,
  view: ApprovalView,
  request: NonNullable<ApprovalView['request']>,
  settings: ApprovalSettings,
  now: Date,
) {
  const { approvers, overriders, authorMayApprove } = settings;
  return checkVote({
    request,
    votes: view.votes,
    superseded: view.state === 'superseded',
    now,
    rules: { approvers, overriders, authorMayApprove },
    approver: input.approver,
    decision: input.decision,
    comment: input.comment,
    release: input.commit ? { ...request.release, commit: input.commit } : request.release,
    gatePassed: view.gate?.passed ?? false,
    override: input.override,
  });
}

/**
 * Records one approver's vote if the rules allow it, and, when it decides the request, answers the
 * pipeline and records the decision. Refusals write nothing.
 */
export async function decide(input: DecideInput, deps: DecideDeps): Promise<DecideResult> {
  const { store, settings } = deps;
  const now = input.now ?? new Date();
  const run = await store.getRun(input.runId);
  if (!run) return { ok: false, status: 404, reason: `no run ${input.runId}` };
  const events = await store.listEvents(run.runId);
  const view = approvalView(run.runId, events, now);
  if (!view.request)
    return {
      ok: false,
      status: 409,
      reason: `no approval has been requested for run ${run.runId}; \`uigate gate --run ${run.runId}\` evaluates it and opens one`,
    };
  const check = voteCheck(input, view, view.request, settings, now);
  if (!check.accepted) return { ok: false, status: check.status, reason: check.reason };
  if ('duplicate' in check) return { ok: true, duplicate: true, view };
  if (view.decided)
    return { ok: false, status: 409, reason: `the request is ${view.decided.state}; it can no longer be decided` };

  const vote = check.vote;
  const after = approvalView(
    run.runId,
    [
      ...events,
      { runId: run.runId, at: vote.at, type: EVENT.vote, detail: vote as unknown as Record<string, unknown> },
    ],
    now,
  );
  const deciding = after.state === 'approved' || after.state === 'rejected';
  // The pipeline is asked before anything is written: a stale execution refuses the vote whole.
  let token: string | undefined;
  const executionId = view.request.release.pipelineExecutionId;
  if (deciding && deps.pipeline && executionId) {
    const pending = await deps.pipeline.pending(executionId);
    if ('refused' in pending) return { ok: false, status: 409, reason: pending.refused };
    token = pending.token;
  }
  const written = await store.addEvent(
    {
      runId: run.runId,
      at: vote.at,
      type: EVENT.vote,
      actor: input.approver,
      detail: vote as unknown as Record<string, unknown>,
    },
    { once: `vote#${input.approver}#${input.decision}` },
  );
  if (!written) return { ok: true, duplicate: true, view: await loadApproval(store, run.runId, now) };
  if (deciding) await recordDecision(run, after, vote, token, deps);
  return { ok: true, duplicate: false, view: await loadApproval(store, run.runId, now) };
}

async function recordDecision(
  run: RunMeta,
  view: ApprovalView,
  vote: Vote,
  token: string | undefined,
  deps: DecideDeps,
): Promise<void> {
  const state = view.state as 'approved' | 'rejected';
  const override = view.votes.some((v) => v.override);
  const approvers = [...new Set(view.votes.filter((v) => v.decision === vote.decision).map((v) => v.approver))];
  const summary = `${state} by ${approvers.join(', ')}${override ? ' (gate override)' : ''}: ${vote.comment}`;
  let pipeline: string | undefined;
  if (token && deps.pipeline) {
    try {
      await deps.pipeline.answer(token, state === 'approved' ? 'Approved' : 'Rejected', summary);
      pipeline = `${deps.pipeline.name}: ${state === 'approved' ? 'Approved' : 'Rejected'}`;
    } catch (error) {
      // The vote stands; the pipeline did not hear it. Recorded so the timeline says so.
      await deps.store.addEvent({
        runId: run.runId,
        at: new Date().toISOString(),
        type: 'approval-pipeline-error',
        actor: vote.approver,
        detail: { message: (error as Error).message },
      });
      throw error;
    }
  }
  // A decided run outlives results retention whole: the decision, and the evidence it was made on.
  await deps.store.keepRun(run.runId);
  const written = await deps.store.addEvent(
    {
      runId: run.runId,
      at: new Date().toISOString(),
      type: EVENT.decided,
      actor: vote.approver,
      detail: { state, at: vote.at, override, approvers, ...(pipeline ? { pipeline } : {}) },
    },
    { once: 'decided' },
  );
  if (written)
    await deps.notifier?.notify({
      kind: 'approval-decided',
      run,
      decision: state,
      actor: approvers.join(', '),
      reason: vote.comment,
      link: deps.link?.(run.runId),
    });
}
