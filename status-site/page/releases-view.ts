// The Releases page: per production target, what is live now, then every release newest first —
// promoted when, approved by whom, verified or rolled back by which alarm to which release, the
// smoke runs that failed, and what to do now.
import { api, type TargetHistory } from './api.ts';
import { h } from './dom.ts';
import { ago, shortCommit } from './format.ts';
import { PolledView } from './polled-view.ts';
import {
  failureWords,
  releaseState,
  whatNow,
  type ReleaseEntry,
  type ReleaseState,
} from '../shared/release-history.ts';

/** A release bakes for minutes: its end and any rollback show up this fast. */
const REFRESH_MS = 10_000;

export const releaseClass = (state: ReleaseState) => `r-${state.replace(/[ ,]+/g, '-')}`;

export function releaseBadge(state: ReleaseState, testId?: string): HTMLElement {
  return h('span', { class: `badge ${releaseClass(state)}`, ...(testId ? { 'data-testid': testId } : {}) }, state);
}

const runLink = (runId: string, text = runId) => h('a', { href: `/runs/${encodeURIComponent(runId)}` }, text);

function liveCard(history: TargetHistory) {
  const live = history.live;
  if (!live) return h('p', { class: 'muted' }, 'Nothing released here yet.');
  return h(
    'p',
    { class: 'live-now', 'data-testid': 'live-now' },
    h('strong', {}, 'Live now: '),
    'release ',
    h('code', {}, live.releaseId),
    ' ',
    releaseBadge(live.state),
    ...(live.runId ? [' · run ', runLink(live.runId)] : []),
    h('span', { class: 'muted small' }, ` · since ${ago(live.since)}`),
  );
}

function approvalWords(release: ReleaseEntry): string {
  const approval = release.approval;
  if (!approval) return 'approval not recorded';
  const by = approval.by.length ? approval.by.join(', ') : 'someone';
  return `approved by ${by}${approval.override ? ' (override of a failed gate)' : ''}${approval.at ? ` ${ago(approval.at)}` : ''}`;
}

function releaseRow(release: ReleaseEntry) {
  const state = releaseState(release);
  const why = release.status === 'failed' ? failureWords(release) : undefined;
  return h(
    'li',
    { class: `release ${releaseClass(state)}`, 'data-release': release.releaseId, 'data-state': state },
    h(
      'div',
      { class: 'release-head' },
      releaseBadge(state),
      ' ',
      h('code', { class: 'release-id' }, release.releaseId),
      h(
        'span',
        { class: 'muted small' },
        ` promoted ${ago(release.promotedAt)} · commit ${shortCommit(release.commit)}`,
      ),
    ),
    h(
      'p',
      { class: 'small' },
      'run ',
      runLink(release.runId),
      ` · ${approvalWords(release)}`,
      release.rolledBackTo ? ` · rolled back to ${release.rolledBackTo}` : '',
    ),
    why ? h('p', { class: 'why', 'data-testid': 'release-why' }, why) : undefined,
    release.smokeRuns?.length
      ? h(
          'p',
          { class: 'small' },
          'failed smoke runs: ',
          ...release.smokeRuns.flatMap((runId, i) => [i ? ', ' : '', runLink(runId)]),
        )
      : undefined,
    h('p', { class: 'what-now', 'data-testid': 'what-now' }, whatNow(state, release)),
    release.reason && why
      ? h('details', { class: 'raw' }, h('summary', {}, 'as the alarm said it'), h('code', {}, release.reason))
      : undefined,
  );
}

function targetSection(history: TargetHistory) {
  return h(
    'section',
    { class: 'target', 'data-target': history.target },
    h('h2', {}, h('code', { class: 'target-name' }, history.target)),
    liveCard(history),
    h('ol', { class: 'releases' }, ...history.releases.map(releaseRow)),
  );
}

export class ReleasesView extends PolledView {
  constructor(root: HTMLElement, setCrumbs: (...parts: (string | Node)[]) => void) {
    super(root, setCrumbs, REFRESH_MS);
  }

  protected async refresh(): Promise<boolean> {
    let targets: TargetHistory[] | undefined;
    let failure: string | undefined;
    try {
      ({ targets } = await api.releases());
    } catch (error) {
      failure = `Could not load releases: ${(error as Error).message}`;
    }
    if (this.stopped) return false;
    this.slots.update([
      { key: 'title', same: '', build: () => h('h1', {}, 'Releases') },
      {
        key: 'body',
        same: JSON.stringify([failure ?? null, targets ?? null]),
        build: () =>
          failure
            ? h('p', { class: 'error-box' }, failure)
            : targets!.length === 0
              ? h(
                  'p',
                  { class: 'empty muted' },
                  'No release yet: an approved run becomes one with `npx uigate promote` or the pipeline’s Production stage.',
                )
              : h('div', { 'data-testid': 'releases' }, ...targets!.map(targetSection)),
      },
    ]);
    return true;
  }
}
