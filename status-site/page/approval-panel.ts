// The approval panel beside a finished run's evidence: the release it would promote, the gate's
// rules with measured values, the votes so far, the timeline, and — while the request is pending —
// the decision form. The token stays in this tab (sessionStorage), never in a cookie, so no other
// site can make the browser send it.
import { visualReviewView, type VisualAnswer } from './visual-review-view.ts';
import { api, type Approval, type RunEvent } from './api.ts';
import type { RunEventType } from '../../runner/core/events.ts';
import { h } from './dom.ts';
import { ago, shortCommit } from './format.ts';
import { Poller } from './poller.ts';
import { Slots } from './slots.ts';
import { releaseBadge } from './releases-view.ts';
import { sinceReleaseView } from './since-release-view.ts';
import type { SinceRelease } from '../../runner/core/model.ts';
import { alarmWords, whatNow, type ReleaseState } from '../shared/release-history.ts';

const TOKEN_KEY = 'uigate-approver-token';
/** While a request waits for votes or a release bakes, others' decisions and alarms show up this fast. */
const POLL_MS = 5_000;

const EVENT_LABEL: Record<RunEventType, string> = {
  gate: 'gate evaluated',
  'approval-requested': 'approval requested',
  'approval-superseded': 'superseded by a newer run',
  'approval-vote': 'vote',
  'approval-decided': 'decided',
  'approval-pipeline-error': 'pipeline did not take the answer (the next vote or `uigate approve` tries again)',
  'approval-delivered': 'pipeline told',
  'approval-undeliverable': 'pipeline no longer waits',
  'approval-visual': 'screenshot change decided',
  'visual-accepted': 'screenshot change accepted',
  'preflight-passed': 'pre-flight: alarms armed and fed',
  'preflight-failed': 'pre-flight failed: promotion blocked',
  'preflight-skipped': "pre-flight: first release, nothing of uigate's live to check",
  promoted: 'promoted',
  'fault-injected': 'fault injected',
  'bake-started': 'bake started',
  verified: 'verified: healthy for the whole bake',
  alarm: 'ALARM',
  'rollback-started': 'rollback started',
  'rollback-restored': 'previous release restored',
  'rollback-impossible': 'no good release to roll back to',
  'rollback-failed': 'ROLLBACK FAILED: the previous release could not be published again',
  'bake-error': 'bake could not watch its alarms: rolled back as on an alarm',
  'bake-cancelled': 'bake cancelled: release left live, unverified',
  resumed: 'run resumed: what had no result runs again',
  'alarm-before-release': 'alarm from before this release went live: not held against it',
};

export class ApprovalPanel {
  readonly element = h('section', { class: 'approval', 'data-testid': 'approval', 'aria-live': 'polite' });
  private approval: Approval | undefined;
  private events: RunEvent[] = [];
  private message: { text: string; error: boolean } | undefined;
  private busy = false;
  private timelineOpen = false;
  private readonly slots = new Slots(this.element);
  private readonly poller = new Poller(POLL_MS, () => this.refresh());
  private polling = false;
  private sinceRelease: SinceRelease | undefined;

  constructor(
    private readonly runId: string,
    /** Told when what became of the release changes, for the run's header. */
    private readonly onRelease: (state: ReleaseState | undefined) => void = () => undefined,
  ) {}

  async load() {
    await this.refresh();
    // Someone else's vote, the pipeline's promotion, an alarm in the bake: shown without a reload.
    if (this.moving && !this.polling) {
      this.polling = true;
      this.poller.start();
    }
  }

  stop() {
    this.poller.stop();
  }

  /** What changed since the live production release, as the run recorded it (a mono-repo's runs). */
  showSinceRelease(since: SinceRelease | undefined) {
    this.sinceRelease = since;
    this.render();
  }

  /** Reads the request and the timeline once; answers whether they can still change on their own. */
  private async refresh(): Promise<boolean> {
    try {
      const [approval, { events }] = await Promise.all([api.approval(this.runId), api.events(this.runId)]);
      this.approval = approval;
      const before = this.release;
      this.events = events;
      if (this.release !== before) this.onRelease(this.release);
    } catch (error) {
      this.message = { text: `Could not load the approval: ${(error as Error).message}`, error: true };
    }
    this.render();
    return this.moving;
  }

  /** A request waiting for votes, an approved release not yet promoted, or one being baked. */
  private get moving(): boolean {
    const state = this.approval?.state;
    const release = this.release;
    return state === 'pending' || (state === 'approved' && release === undefined) || release === 'baking';
  }

  private render() {
    const approval = this.approval;
    const message = this.message;
    const messagePart = {
      key: 'message',
      same: JSON.stringify(message ?? null),
      build: () =>
        message
          ? h(
              'p',
              { class: message.error ? 'error-box' : 'ok-box', role: message.error ? 'alert' : 'status' },
              message.text,
            )
          : undefined,
    };
    if (!approval) return this.slots.update([messagePart]);
    // Part by part, so a poll that brings a vote leaves the form — and the comment being typed — alone.
    this.slots.update([
      { key: 'head', same: JSON.stringify([approval.state, this.release]), build: () => this.head(approval) },
      {
        key: 'request',
        same: JSON.stringify([approval.state, approval.request, approval.supersededBy]),
        build: () =>
          approval.request
            ? this.releaseLine(approval)
            : h(
                'p',
                { class: 'muted' },
                `No approval requested yet: \`uigate gate --run ${approval.runId}\` evaluates the policy and opens one.`,
              ),
      },
      {
        key: 'gate',
        same: JSON.stringify(approval.gate ?? null),
        build: () => (approval.gate ? this.gate(approval.gate) : undefined),
      },
      this.visualPart(approval),
      {
        key: 'since-release',
        same: JSON.stringify(this.sinceRelease ?? null),
        build: () => (this.sinceRelease ? sinceReleaseView(this.sinceRelease) : undefined),
      },
      { key: 'votes', same: JSON.stringify(approval.votes), build: () => this.votes(approval) },
      {
        key: 'form',
        same: JSON.stringify([
          approval.state,
          approval.approvals ?? null,
          approval.gate?.passed ?? null,
          approval.request?.release ?? null,
        ]),
        build: () => this.formPart(approval),
      },
      messagePart,
      { key: 'timeline', same: JSON.stringify(this.events), build: () => this.timeline() },
      { key: 'what-now', same: JSON.stringify(this.events), build: () => this.whatNowPart() },
    ]);
  }

  private head(approval: Approval) {
    const release = this.release;
    return h(
      'h2',
      {},
      'Approval ',
      h(
        'span',
        { class: `badge a-${approval.state}`, 'data-testid': 'approval-state' },
        approval.state === 'none' ? 'not requested' : approval.state,
      ),
      release ? h('span', {}, ' · Release ', releaseBadge(release, 'release-state')) : undefined,
    );
  }

  private votes(approval: Approval) {
    if (!approval.votes.length) return undefined;
    return h(
      'ul',
      { class: 'votes' },
      ...approval.votes.map((vote) =>
        h(
          'li',
          {},
          h('strong', {}, vote.approver),
          ` ${vote.decision}${vote.override ? ' (override)' : ''} ${ago(vote.at)}: `,
          h('q', {}, vote.comment),
        ),
      ),
    );
  }

  /** The screenshot changes the approval decides on, redrawn only when they or who may decide change. */
  private visualPart(approval: Approval) {
    return {
      key: 'visual',
      same: JSON.stringify([approval.visual ?? null, approval.state, approval.approvals ?? null]),
      build: () =>
        visualReviewView(approval.visual, {
          runId: this.runId,
          canDecide: approval.state === 'pending' && Boolean(approval.approvals),
          decide: (answer) => void this.decideVisual(answer),
        }),
    };
  }

  /** Sends answers on screenshot changes, with the token the form holds; a rejected one rejects the release. */
  private async decideVisual(answer: VisualAnswer) {
    if (this.busy) return;
    this.busy = true;
    const field = this.element.querySelector<HTMLInputElement>('input[name=token]');
    const token = (field?.value || sessionStorage.getItem(TOKEN_KEY) || '').trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    try {
      const result = await api.decide(this.runId, { comment: '', visual: answer }, token);
      const what = answer.reject?.length ? 'rejected' : 'accepted';
      this.message = { text: `Recorded: screenshot change ${what}. The request is ${result.state}.`, error: false };
    } catch (error) {
      this.message = { text: (error as Error).message, error: true };
    } finally {
      this.busy = false;
    }
    await this.load();
  }

  /** Shows the decision form while the request waits — or, where this site takes no decisions, how to decide. */
  private formPart(approval: Approval) {
    if (approval.state !== 'pending') return undefined;
    if (approval.approvals) return this.form(approval);
    return h(
      'p',
      { class: 'muted' },
      `This site takes no decisions: approve or reject with \`npx uigate approve --run ${approval.runId} --comment "..."\` (as your IAM identity).`,
    );
  }

  /** Where the release went after approval, from the timeline: the words of the Releases page. */
  get release(): ReleaseState | undefined {
    const types = new Set(this.events.map((event) => event.type));
    if (types.has('rollback-restored')) return 'rolled back';
    if (types.has('rollback-failed')) return 'rollback failed';
    if (types.has('rollback-impossible')) return 'failed, still live';
    if (types.has('bake-cancelled')) return 'unverified';
    if (types.has('verified')) return 'verified';
    if (types.has('bake-started') || types.has('promoted')) return 'baking';
    return undefined;
  }

  private releaseLine(approval: Approval) {
    const { release, expiresAt, requiredApprovals, author } = approval.request!;
    return h(
      'p',
      { class: 'muted' },
      `commit ${shortCommit(release.commit)}`,
      release.artifactDigest ? ` · artifact ${release.artifactDigest.slice(0, 19)}` : undefined,
      release.pipelineExecutionId ? ` · execution ${release.pipelineExecutionId}` : undefined,
      ` · needs ${requiredApprovals} approval${requiredApprovals === 1 ? '' : 's'}`,
      author ? ` · author ${author} may not approve` : undefined,
      approval.state === 'pending' ? ` · expires ${new Date(expiresAt).toLocaleString()}` : undefined,
      approval.supersededBy ? ` · superseded by run ${approval.supersededBy}` : undefined,
    );
  }

  private gate(gate: NonNullable<Approval['gate']>) {
    return h(
      'div',
      { class: 'gate-rules' },
      h(
        'p',
        {},
        h('strong', {}, gate.passed ? '✓ gate passed' : '✘ gate failed'),
        gate.passed ? '' : ' — only an explicit override by an allowed approver can approve this run',
      ),
      h(
        'ul',
        {},
        ...gate.rules.map((rule) =>
          h(
            'li',
            { class: rule.passed ? 'rule-ok' : 'rule-bad' },
            `${rule.passed ? '✓' : '✘'} ${rule.rule}: ${rule.measured} (needs ${rule.threshold})`,
          ),
        ),
      ),
    );
  }

  private form(approval: Approval) {
    const token = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'off',
      placeholder: 'uig_… (npx uigate approver token)',
      'aria-label': 'Approver token',
      value: sessionStorage.getItem(TOKEN_KEY) ?? '',
    });
    const comment = h('textarea', {
      name: 'comment',
      rows: 2,
      required: true,
      maxlength: 2000,
      placeholder: 'Why? (goes into the audit trail)',
      'aria-label': 'Comment',
    });
    const override = h('input', { type: 'checkbox', name: 'override' });
    const submit = (decision: 'approved' | 'rejected') => async (event: Event) => {
      event.preventDefault();
      if (this.busy) return;
      this.busy = true;
      sessionStorage.setItem(TOKEN_KEY, token.value.trim());
      try {
        const result = await api.decide(
          this.runId,
          {
            decision,
            comment: comment.value,
            override: override.checked || undefined,
            commit: approval.request!.release.commit,
          },
          token.value.trim(),
        );
        this.message = { text: `Recorded: ${decision}. The request is ${result.state}.`, error: false };
      } catch (error) {
        this.message = { text: (error as Error).message, error: true };
      } finally {
        this.busy = false;
      }
      await this.load();
    };
    return h(
      'form',
      { class: 'approval-form', onsubmit: submit('approved') },
      h('label', {}, 'Approver token ', token),
      h('label', {}, 'Comment ', comment),
      approval.gate && !approval.gate.passed
        ? h('label', { class: 'toggle' }, override, ' Override the failed gate (recorded as an override)')
        : undefined,
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', class: 'approve' }, 'Approve'),
        h('button', { type: 'button', class: 'reject', onclick: submit('rejected') }, 'Reject'),
      ),
    );
  }

  /** Once the release is promoted: what to do now, in one sentence. */
  private whatNowPart() {
    const state = this.release;
    const promoted = [...this.events].reverse().find((event) => event.type === 'promoted');
    if (!state || !promoted) return undefined;
    const restored = this.events.find((event) => event.type === 'rollback-restored');
    return h(
      'p',
      { class: 'what-now', 'data-testid': 'what-now' },
      whatNow(state, {
        releaseId: String(promoted.detail?.releaseId ?? ''),
        target: String(promoted.detail?.target ?? ''),
        ...(restored ? { rolledBackTo: String(restored.detail?.releaseId) } : {}),
      }),
      ' ',
      h('a', { href: '/releases' }, 'All releases'),
    );
  }

  private timeline() {
    const shown = this.events;
    if (!shown.length) return undefined;
    const dramatic = shown.some((event) => event.type === 'alarm' || event.type === 'rollback-restored');
    const details = h(
      'details',
      { class: 'timeline', open: dramatic || this.timelineOpen, 'data-testid': 'timeline' },
      h('summary', {}, `Timeline (${shown.length})`),
      h(
        'ol',
        {},
        ...shown.map((event) =>
          h(
            'li',
            {},
            h('time', { datetime: event.at }, new Date(event.at).toLocaleString()),
            ` ${EVENT_LABEL[event.type]}`,
            event.actor ? ` · ${event.actor}` : undefined,
            describe(event) ? ` · ${describe(event)}` : undefined,
            ...evidence(event),
          ),
        ),
      ),
    );
    // Opened by the reader, it stays open when a new event redraws it.
    details.addEventListener('toggle', () => (this.timelineOpen = details.open));
    return details;
  }
}

/** An alarm's raw reason as the evaluator said it, and the failed smoke runs behind it, linked. */
function evidence(event: RunEvent): (Node | string)[] {
  if (event.type !== 'alarm') return [];
  const smokeRuns = Array.isArray(event.detail?.smokeRuns) ? event.detail.smokeRuns.map(String) : [];
  return [
    ...(smokeRuns.length
      ? [
          ' · failed smoke runs: ',
          ...smokeRuns.flatMap((runId, i) => [
            i ? ', ' : '',
            h('a', { href: `/runs/${encodeURIComponent(runId)}` }, runId),
          ]),
        ]
      : []),
    h('br', {}),
    h('code', { class: 'raw small', title: 'as the alarm said it' }, String(event.detail?.reason ?? '')),
  ];
}

function describe(event: RunEvent): string | undefined {
  const detail = event.detail ?? {};
  if (event.type === 'gate') return detail.passed ? 'passed' : 'failed';
  if (event.type === 'approval-vote')
    return `${String(detail.decision)}${detail.override ? ' (override)' : ''}: ${String(detail.comment)}`;
  if (event.type === 'approval-decided')
    return `${String(detail.state)}${detail.pipeline ? ` → ${String(detail.pipeline)}` : ''}`;
  if (event.type === 'approval-delivered') return String(detail.pipeline);
  if (event.type === 'approval-pipeline-error') return String(detail.message);
  if (event.type === 'approval-superseded') return `by run ${String(detail.by)}`;
  if (event.type === 'promoted')
    return `${String(detail.releaseId)} on ${String(detail.target)}${detail.previous ? ` (was ${String(detail.previous)})` : ''}`;
  if (event.type === 'alarm')
    return alarmWords(String(detail.alarm), String(detail.state), String(detail.reason ?? ''));
  if (event.type === 'rollback-started') return `${String(detail.from)} → ${String(detail.to)}`;
  if (event.type === 'rollback-restored')
    return `${String(detail.releaseId)} live again, ${(Number(detail.msFromAlarm) / 1000).toFixed(1)}s after the alarm`;
  if (event.type === 'preflight-failed' && Array.isArray(detail.problems)) return detail.problems.join('; ');
  if (typeof detail.reason === 'string') return detail.reason;
  if (typeof detail.what === 'string') return detail.what;
  if (typeof detail.message === 'string') return detail.message;
  return undefined;
}
