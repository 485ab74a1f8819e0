// Approval requests and decisions kept as run events: opening a request (and superseding older
// pending ones), reading a run's approval state, and recording a vote. The CLI, the status site and
// the pipeline's gate function all go through here, so the rules are the same wherever one decides.
import type { RunEventType } from '../core/events.ts';
import type { ApprovalSettings } from '../config/config.ts';
import type { RunEvent, RunMeta } from '../core/model.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { ResultStore } from '../store/result-store.ts';
import {
  checkVote,
  mayDecideVisual,
  requestState,
  type ApprovalRequest,
  type ReleaseCandidate,
  type RequestState,
  type Vote,
} from './approval.ts';
import type { PipelineApproval } from './codepipeline.ts';
import { applyVisualAnswer, visualVerdict } from './visual-approval.ts';
import type { ImageReader, VisualAnswer } from './visual-decisions.ts';
import type { ReviewedItem } from './visual-review.ts';
import { personOf, type Person } from './person.ts';
import type { GateDecision, RuleResult } from './policy.ts';

export const EVENT = {
  requested: 'approval-requested',
  superseded: 'approval-superseded',
  vote: 'approval-vote',
  decided: 'approval-decided',
  /** The pipeline heard the decision. */
  delivered: 'approval-delivered',
  /** The pipeline no longer waits on this request's execution: nobody can tell it any more. */
  undeliverable: 'approval-undeliverable',
  /** The pipeline did not take the answer this time; the next decide call tries again. */
  pipelineError: 'approval-pipeline-error',
} as const;

export interface ApprovalView {
  runId: string;
  state: RequestState | 'none';
  request?: ApprovalRequest;
  /** The gate result the request was opened with: what an approver sees next to the button. */
  gate?: { passed: boolean; rules: RuleResult[] };
  votes: Vote[];
  supersededBy?: string;
  decided?: {
    state: 'approved' | 'rejected';
    at: string;
    override: boolean;
    approvers: string[];
    comment?: string;
    /** What the pipeline was told ("uigate-release: Approved"), once it heard. */
    pipeline?: string;
  };
  /** Where telling the pipeline stands, for a decided request of a pipeline execution. */
  delivery?: { state: 'delivered' | 'undeliverable' | 'retrying'; detail: string };
  /** The run's screenshot changes and their decisions, where the run's images can be read (visual-review.ts). */
  visual?: ReviewedItem[];
}

export const releaseOf = (run: RunMeta): ReleaseCandidate => ({
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
    view.decided = decided.detail as unknown as NonNullable<ApprovalView['decided']>;
    view.state = view.decided.state;
    const delivery = deliveryOf(events);
    if (delivery) view.delivery = delivery;
    if (delivery?.state === 'delivered') view.decided = { ...view.decided, pipeline: delivery.detail };
  }
  return view;
}

function deliveryOf(events: readonly RunEvent[]): ApprovalView['delivery'] {
  const last = (type: string) => events.filter((event) => event.type === type).at(-1);
  const delivered = last(EVENT.delivered);
  if (delivered) return { state: 'delivered', detail: String(delivered.detail?.pipeline) };
  const undeliverable = last(EVENT.undeliverable);
  if (undeliverable) return { state: 'undeliverable', detail: String(undeliverable.detail?.reason) };
  const error = last(EVENT.pipelineError);
  if (error) return { state: 'retrying', detail: String(error.detail?.message) };
  return undefined;
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
 * pending requests on the same branch, which can then never be approved. A request for a run older
 * than one already requested on its branch is superseded as it opens.
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
    ...(run.contributors?.length ? { contributors: run.contributors } : {}),
    ...(input.gate.visualReview ? { visualReview: true as const } : {}),
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
    const { older, newer } = await branchRequests(store, run, settings, now);
    if (newer) await supersede(store, run.runId, newer, input.actor, now);
    for (const olderId of older)
      if ((await loadApproval(store, olderId, now)).state === 'pending')
        if (await supersede(store, olderId, run.runId, input.actor, now)) superseded.push(olderId);
    if (!newer)
      await input.notifier?.notify({
        kind: 'approval-requested',
        run,
        link: input.link,
        reason: input.gate.passed ? undefined : 'the gate policy failed: only an explicit override can approve it',
      });
  }
  return { view: await loadApproval(store, run.runId, now), superseded };
}

const supersede = (store: ResultStore, runId: string, by: string, actor: string, now: Date) =>
  store.addEvent(
    { runId, at: now.toISOString(), type: EVENT.superseded, actor, detail: { by } },
    { once: 'superseded' },
  );

/**
 * The runs on this run's branch that have an approval request, within the window a request can
 * still be pending (expiresAfterHours): the older ones, and the newest newer one if any. Every
 * page of runs in the window is read, however many runs other branches add.
 */
async function branchRequests(
  store: ResultStore,
  run: RunMeta,
  settings: ApprovalSettings,
  now: Date,
): Promise<{ older: string[]; newer?: string }> {
  const oldest = new Date(now.getTime() - settings.expiresAfterHours * 3_600_000).toISOString();
  const older: string[] = [];
  let newer: string | undefined;
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 100, cursor });
    for (const other of page.items) {
      if (other.startedAt < oldest) return { older, newer };
      if (other.runId === run.runId || other.branch !== run.branch) continue;
      const requested = (await store.listEvents(other.runId)).some((e) => e.type === EVENT.requested);
      if (!requested) continue;
      if (other.runId < run.runId) older.push(other.runId);
      else newer ??= other.runId;
    }
    cursor = page.cursor;
  } while (cursor);
  return { older, newer };
}

export interface DecideInput {
  runId: string;
  /** As authenticated: an IAM ARN, or a local approver's name. */
  approver: string;
  /** Who the approver is, when the caller knows better than the ARN (a local token: the OS login). */
  person?: Person;
  decision: Vote['decision'];
  comment: string;
  override?: boolean;
  /** The commit the approver saw; the request's when not given. */
  commit?: string;
  /** Answers on the run's screenshot changes, recorded before the vote counts. */
  visual?: VisualAnswer;
  now?: Date;
}

export interface DecideDeps {
  store: ResultStore;
  settings: ApprovalSettings;
  pipeline?: PipelineApproval;
  notifier?: Notifier;
  link?: (runId: string) => string | undefined;
  /** Reads the run's stored images: the approval side fingerprints screenshot changes from their bytes. */
  images?: ImageReader;
}

export type DecideResult =
  | { ok: true; duplicate: boolean; view: ApprovalView; note?: string }
  | { ok: false; status: 403 | 404 | 409 | 502; reason: string };

/** Applies the approval rules (approval.ts) to this vote on this request. */
function voteCheck(input: DecideInput, view: ApprovalView, settings: ApprovalSettings, now: Date) {
  const { approvers, overriders, authorMayApprove, personRoles } = settings;
  const request = view.request!;
  return checkVote({
    request,
    votes: view.votes,
    superseded: view.state === 'superseded',
    now,
    rules: { approvers, overriders, authorMayApprove, personRoles },
    approver: input.approver,
    person: input.person ?? personOf(input.approver, { personRoles }),
    decision: input.decision,
    comment: input.comment,
    release: input.commit ? { ...request.release, commit: input.commit } : request.release,
    gatePassed: view.gate?.passed ?? false,
    override: input.override,
  });
}

/** The run and its approval, or why there is nothing to decide on. */
async function requestOf(
  store: ResultStore,
  runId: string,
  now: Date,
): Promise<{ run: RunMeta; view: ApprovalView & { request: ApprovalRequest } } | Extract<DecideResult, { ok: false }>> {
  const run = await store.getRun(runId);
  if (!run) return { ok: false, status: 404, reason: `no run ${runId}` };
  const view = await loadApproval(store, run.runId, now);
  if (!view.request) return noRequest(run.runId);
  return { run, view: { ...view, request: view.request } };
}

const noRequest = (runId: string): Extract<DecideResult, { ok: false }> => ({
  ok: false,
  status: 409,
  reason: `no approval has been requested for run ${runId}; \`uigate gate --run ${runId}\` evaluates it and opens one`,
});

/**
 * Records one approver's vote if the rules allow it; then decides from what is stored, so that
 * votes arriving at the same moment (each seeing only its own) still reach exactly one decision;
 * then tells the pipeline until it has heard. Any later call, whoever makes it, finishes what an
 * earlier one could not. Refusals write nothing.
 */
export async function decide(input: DecideInput, deps: DecideDeps): Promise<DecideResult> {
  const { store, settings } = deps;
  const now = input.now ?? new Date();
  const found = await requestOf(store, input.runId, now);
  if ('ok' in found) return found;
  const { run } = found;
  let view: ApprovalView = found.view;
  if (!view.decided && view.state === 'pending') view = await supersededByNewer(store, run, settings, now, view);
  const check = voteCheck(input, view, settings, now);
  if (!check.accepted && check.status === 403) return { ok: false, status: 403, reason: check.reason };
  if (check.accepted && 'duplicate' in check) return { ok: true, duplicate: true, view: await settle(run, deps, now) };
  if (view.decided) {
    await settle(run, deps, now);
    return { ok: false, status: 409, reason: `the request is ${view.decided.state}; it can no longer be decided` };
  }
  if (!check.accepted) return { ok: false, status: check.status, reason: check.reason };
  // A stale execution refuses the vote whole, before anything is written.
  const executionId = view.request!.release.pipelineExecutionId;
  if (deps.pipeline && executionId) {
    const pending = await deps.pipeline.pending(executionId);
    if ('refused' in pending) return { ok: false, status: 409, reason: pending.refused };
  }
  let vote = check.vote;
  let note: string | undefined;
  let items: ReviewedItem[] | undefined;
  if (view.request!.visualReview) {
    const step = await applyVisualAnswer(visualInput(input, run, vote.person ?? input.approver, deps, now));
    if ('refused' in step) return { ok: false, ...step.refused };
    items = step.items;
    const verdict = visualVerdict(items, run.runId);
    if (verdict.rejection) {
      note = `${verdict.rejection}: the release is rejected`;
      vote = { ...vote, decision: 'rejected', comment: `${verdict.rejection}. ${vote.comment}` };
    } else if (vote.decision === 'approved') {
      if (verdict.waiting) return { ok: false, status: 409, reason: verdict.waiting };
      vote = { ...vote, visualAccepted: verdict.accepted };
    }
  }
  const written = await store.addEvent(
    { runId: run.runId, at: vote.at, type: EVENT.vote, actor: input.approver, detail: vote as unknown as Detail },
    { once: `vote#${vote.person}#${vote.decision}` },
  );
  const settled = { ...(await settle(run, deps, now)), ...(items ? { visual: items } : {}) };
  const decidedOtherwise = settled.decided && settled.decided.state !== vote.decision;
  if (written && decidedOtherwise)
    return {
      ok: false,
      status: 409,
      reason: `the request was ${settled.decided!.state} meanwhile by ${settled.decided!.approvers.join(', ')}; your vote is on the timeline but did not decide it`,
    };
  return { ok: true, duplicate: !written, view: settled, ...(note ? { note } : {}) };
}

/** What the visual step needs of a vote: who decides, on which run, with which images. */
const visualInput = (
  input: Pick<DecideInput, 'approver' | 'comment' | 'visual'>,
  run: RunMeta,
  person: string,
  deps: DecideDeps,
  now: Date,
) => ({
  store: deps.store,
  run,
  approver: input.approver,
  person,
  comment: input.comment,
  visual: input.visual,
  images: deps.images,
  now,
});

/**
 * Records an approver's answers on a run's screenshot changes without a vote on the release (the
 * run page's accept and reject, a cell at a time). A rejected change rejects the release at once.
 */
export async function decideVisual(
  input: Omit<DecideInput, 'decision' | 'override'> & { visual: VisualAnswer },
  deps: DecideDeps,
): Promise<DecideResult> {
  const { store, settings } = deps;
  const now = input.now ?? new Date();
  const found = await requestOf(store, input.runId, now);
  if ('ok' in found) return found;
  const { run, view } = found;
  if (!view.request.visualReview)
    return { ok: false, status: 409, reason: `run ${run.runId}'s approval has no screenshot changes to decide` };
  const { approvers, overriders, authorMayApprove, personRoles } = settings;
  const person = input.person ?? personOf(input.approver, { personRoles });
  const check = mayDecideVisual({
    request: view.request,
    votes: view.votes,
    superseded: view.state === 'superseded',
    now,
    rules: { approvers, overriders, authorMayApprove, personRoles },
    approver: input.approver,
    person,
    release: input.commit ? { ...view.request.release, commit: input.commit } : view.request.release,
  });
  if (check && !check.accepted) return { ok: false, status: check.status, reason: check.reason };
  const step = await applyVisualAnswer({
    ...visualInput(input, run, person.id, deps, now),
  });
  if ('refused' in step) return { ok: false, ...step.refused };
  const verdict = visualVerdict(step.items, run.runId);
  if (verdict.rejection)
    return decide(
      { ...input, decision: 'rejected', comment: input.comment.trim() || 'rejected in the visual review' },
      deps,
    );
  return { ok: true, duplicate: false, view: { ...(await loadApproval(store, run.runId, now)), visual: step.items } };
}

type Detail = Record<string, unknown>;

/** Tells whether a pending request lost to a newer run's request on its branch, even one opened before this run's. */
async function supersededByNewer(
  store: ResultStore,
  run: RunMeta,
  settings: ApprovalSettings,
  now: Date,
  view: ApprovalView,
): Promise<ApprovalView> {
  const { newer } = await branchRequests(store, run, settings, now);
  if (!newer) return view;
  await supersede(store, run.runId, newer, 'uigate', now);
  return loadApproval(store, run.runId, now);
}

/**
 * Brings a request to where its stored votes say it is: writes the decision if the votes reach
 * one (exactly once, whoever gets there first), keeps the run, and tells the pipeline.
 */
async function settle(run: RunMeta, deps: DecideDeps, now: Date): Promise<ApprovalView> {
  const { store } = deps;
  let view = await loadApproval(store, run.runId, now);
  if (!view.decided && (view.state === 'approved' || view.state === 'rejected')) {
    const state = view.state;
    const deciding = view.votes.filter((v) => v.decision === (state === 'approved' ? 'approved' : 'rejected'));
    const approvers = [...new Set(deciding.map((v) => v.approver))];
    const override = state === 'approved' && view.votes.some((v) => v.override);
    const last = deciding.at(-1)!;
    // A decided run outlives results retention whole: the decision, and the evidence it was made on.
    await store.keepRun(run.runId);
    const written = await store.addEvent(
      {
        runId: run.runId,
        at: new Date().toISOString(),
        type: EVENT.decided,
        actor: last.approver,
        detail: { state, at: last.at, override, approvers, comment: last.comment },
      },
      { once: 'decided' },
    );
    if (written)
      await deps.notifier?.notify({
        kind: 'approval-decided',
        run,
        decision: state,
        actor: approvers.join(', '),
        reason: last.comment,
        link: deps.link?.(run.runId),
      });
    view = await loadApproval(store, run.runId, now);
  }
  if (view.decided && (await tellPipeline(run, view, deps))) view = await loadApproval(store, run.runId, now);
  return view;
}

/**
 * Answers the pipeline's waiting approval with the recorded decision, until an approval-delivered
 * event says it heard (or approval-undeliverable says it never can: it no longer waits on this
 * execution). Throws when the pipeline does not take the answer now; whoever calls next retries.
 * Returns whether it recorded anything.
 */
async function tellPipeline(run: RunMeta, view: ApprovalView, deps: DecideDeps): Promise<boolean> {
  const executionId = view.request?.release.pipelineExecutionId;
  const { pipeline, store } = deps;
  if (!pipeline || !executionId || view.delivery?.state === 'delivered' || view.delivery?.state === 'undeliverable')
    return false;
  const decided = view.decided!;
  const status = decided.state === 'approved' ? 'Approved' : 'Rejected';
  const record = (type: RunEventType, detail: Detail) =>
    store.addEvent({ runId: run.runId, at: new Date().toISOString(), type, actor: 'uigate', detail }, { once: type });
  const delivered = (answered: string) =>
    record(EVENT.delivered, { pipeline: `${pipeline.name}: ${answered}`, execution: executionId });
  const pending = await pipeline.pending(executionId);
  if ('answered' in pending) return delivered(pending.answered);
  if ('refused' in pending) return record(EVENT.undeliverable, { reason: pending.refused });
  const summary = `${decided.state} by ${decided.approvers.join(', ')}${decided.override ? ' (gate override)' : ''}: ${decided.comment ?? ''}`;
  try {
    await pipeline.answer(pending.token, status, summary);
  } catch (error) {
    // Another caller may have answered between our read and our answer: the pipeline says so.
    const after = await pipeline.pending(executionId).catch(() => undefined);
    if (after && 'answered' in after) return delivered(after.answered);
    await store.addEvent({
      runId: run.runId,
      at: new Date().toISOString(),
      type: EVENT.pipelineError,
      actor: 'uigate',
      detail: { message: (error as Error).message },
    });
    throw error;
  }
  return delivered(status);
}
