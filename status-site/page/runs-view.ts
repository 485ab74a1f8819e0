// The runs list, newest first: status, commit and branch, counts, duration, when.
import { statusBadge } from './status-badge.ts';
import { api, type FlakyAnswer, type Run } from './api.ts';
import { describeSelection, isSmokeRun } from '../../runner/core/selection.ts';
import { releaseClass } from './releases-view.ts';
import { shownStatus } from '../../runner/core/statuses.ts';
import { runsChart } from './chart.ts';
import { h } from './dom.ts';
import { PolledView } from './polled-view.ts';
import { Slots } from './slots.ts';
import { ago, duration, percent, shortCommit, STATUS_ICON, type Status } from './format.ts';

const REFRESH_MS = 5_000;

/** Which runs the list shows: the suite's (the default), the bakes' smoke probes, or every run. */
type Shown = 'suite' | 'smoke' | 'all';
const SHOWN_LABEL: Record<Shown, string> = { suite: 'Suite runs', smoke: 'Smoke runs', all: 'All' };
const shows = (shown: Shown, run: Run) => shown === 'all' || (shown === 'smoke') === isSmokeRun(run);

function shownFromUrl(): Shown {
  const value = new URLSearchParams(location.search).get('show');
  return value === 'smoke' || value === 'all' ? value : 'suite';
}

function countsBar(run: Run) {
  const entries = (Object.entries(run.counts) as [Status, number][]).filter(([, n]) => n > 0);
  return h(
    'div',
    { class: 'mini-bar', title: entries.map(([s, n]) => `${n} ${s}`).join(', ') },
    ...entries.map(([status, n]) => h('span', { class: `seg s-${status}`, style: `flex-grow:${n}` })),
  );
}

function row(run: Run) {
  const counts = (Object.entries(run.counts) as [Status, number][]).filter(([, n]) => n > 0);
  return h(
    'a',
    {
      class: 'run-row',
      href: `/runs/${encodeURIComponent(run.runId)}`,
      'data-run': run.runId,
      'data-focus': `run ${run.runId}`,
    },
    h(
      'span',
      { class: 'run-state' },
      statusBadge(run, 'badge'),
      // Green tests above a release that failed read as a success at a glance: say what became of it.
      run.release
        ? h(
            'span',
            {
              class: `badge release-tag ${releaseClass(run.release.state)}`,
              title: `release ${run.release.releaseId} on ${run.release.target}: ${run.release.state}`,
              'data-testid': 'release-tag',
            },
            `release ${run.release.state}`,
          )
        : undefined,
    ),
    h(
      'span',
      { class: 'run-id' },
      run.runId,
      h('span', { class: 'muted small' }, ` ${run.trigger}`),
      // A partial run reads like a green one at a glance; mark it.
      run.selection
        ? h('span', { class: 'tag narrowed', title: `narrowed: ${describeSelection(run.selection)}` }, 'narrowed')
        : undefined,
    ),
    h(
      'span',
      { class: 'source', title: run.commitMessage ?? '' },
      `${run.branch ?? '–'} @ ${shortCommit(run.commit)}`,
      run.commitMessage ? h('span', { class: 'muted small subject' }, ` ${run.commitMessage}`) : undefined,
    ),
    h(
      'span',
      { class: 'counts' },
      countsBar(run),
      h('span', { class: 'small' }, counts.map(([s, n]) => `${STATUS_ICON[s]}${n}`).join(' ')),
    ),
    h(
      'span',
      { class: 'muted small' },
      run.status !== 'running'
        ? duration(run.durationMs)
        : shownStatus(run, Date.now()) === 'lost'
          ? `no sign of life ${ago(run.heartbeatAt)}`
          : 'running…',
    ),
    h('span', { class: 'muted small' }, ago(run.startedAt)),
  );
}

export class RunsView extends PolledView {
  private runs: Run[] = [];
  private cursor: string | null = null;
  private failure: string | undefined;
  private flaky: FlakyAnswer | undefined;
  private shown: Shown = shownFromUrl();
  private readonly list = h('div', { class: 'runs', 'data-testid': 'runs' });
  private readonly rows = new Slots(this.list);

  constructor(root: HTMLElement, setCrumbs: (...parts: (string | Node)[]) => void) {
    super(root, setCrumbs, REFRESH_MS);
  }

  protected async refresh(): Promise<boolean> {
    try {
      const page = await api.runs();
      if (this.stopped) return false;
      // Keep pages already loaded beyond the first; replace the first with what is new.
      const older = this.runs.slice(page.runs.length).filter((run) => !page.runs.some((r) => r.runId === run.runId));
      this.runs = [...page.runs, ...older];
      if (this.cursor === null || older.length === 0) this.cursor = page.cursor;
      this.failure = undefined;
    } catch (error) {
      this.failure = `Could not load runs: ${(error as Error).message}`;
    }
    this.render();
    // After the runs are on the page: over many big runs the first answer takes a moment (the
    // server then keeps it 30 s), and a failure here costs only this list, never the runs.
    void api.flaky().then(
      (flaky) => {
        this.flaky = flaky;
        if (!this.stopped) this.render();
      },
      () => undefined,
    );
    return true;
  }

  private get visible(): Run[] {
    return this.runs.filter((run) => shows(this.shown, run));
  }

  private async more() {
    if (!this.cursor) return;
    const page = await api.runs(this.cursor);
    this.runs.push(...page.runs);
    this.cursor = page.cursor;
    this.render();
  }

  /** The filter between suite runs and smoke runs: one list, not a second site. */
  private filter() {
    const count = (shown: Shown) => this.runs.filter((run) => shows(shown, run)).length;
    return h(
      'div',
      { class: 'run-filter', role: 'group', 'aria-label': 'Which runs', 'data-testid': 'run-filter' },
      ...(Object.keys(SHOWN_LABEL) as Shown[]).map((shown) =>
        h(
          'button',
          {
            type: 'button',
            class: `chip-toggle${this.shown === shown ? ' on' : ''}`,
            'aria-pressed': String(this.shown === shown),
            'data-focus': `show ${shown}`,
            onclick: () => {
              this.shown = shown;
              const url = new URL(location.href);
              if (shown === 'suite') url.searchParams.delete('show');
              else url.searchParams.set('show', shown);
              history.replaceState(null, '', url);
              this.render();
            },
          },
          shown === 'all' ? SHOWN_LABEL[shown] : `${SHOWN_LABEL[shown]} (${count(shown)})`,
        ),
      ),
    );
  }

  /** Charts how the suite has been doing: each finished run's duration, coloured by how it ended. */
  private trend() {
    const finished = this.visible
      .filter((run) => run.status !== 'running' && run.durationMs !== undefined)
      .slice(0, 40);
    if (finished.length < 2) return undefined;
    const passed = finished.filter((run) => run.status === 'passed').length;
    const sorted = finished.map((run) => run.durationMs!).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return h(
      'section',
      { class: 'trend', 'data-testid': 'runs-trend' },
      h('h3', {}, 'Recent runs'),
      runsChart(finished),
      h(
        'p',
        { class: 'stats muted small' },
        `last ${finished.length} finished runs, oldest left · bar height: duration, the tallest ${duration(sorted[sorted.length - 1])} · ${passed} passed (${percent(passed / finished.length)}) · median ${duration(median)}`,
      ),
    );
  }

  /** Lists the units that went wrong most often lately, each a link to the newest run where it did. */
  private flakyList() {
    const flaky = this.flaky;
    if (!flaky || flaky.units.length === 0) return undefined;
    return h(
      'section',
      { class: 'flaky-list', 'data-testid': 'flaky-list' },
      h(
        'h3',
        {},
        `Went wrong most often · last ${flaky.runs.length} finished run${flaky.runs.length === 1 ? '' : 's'} on ${flaky.branch ?? 'no branch'}`,
      ),
      h(
        'ol',
        {},
        ...flaky.units.map((unit) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `/runs/${encodeURIComponent(unit.lastBad.runId)}?unit=${encodeURIComponent(unit.key)}`,
                title: `the newest run where it was ${unit.lastBad.status}`,
              },
              unit.titlePath.join(' › '),
            ),
            h('span', { class: 'muted small' }, ` ${unit.project} `),
            unit.flaky ? h('span', { class: 'chip s-flaky' }, `~ flaky ${unit.flaky}/${unit.runs}`) : undefined,
            unit.failed ? h('span', { class: 'chip s-failed' }, `✘ failed ${unit.failed}/${unit.runs}`) : undefined,
          ),
        ),
      ),
    );
  }

  /** Shows why there is no list: it could not be read, or no run was recorded yet. */
  private renderNoRuns(failure: string | undefined) {
    if (failure)
      return this.slots.update([
        { key: 'failure', same: failure, build: () => h('p', { class: 'error-box' }, failure) },
      ]);
    this.slots.update([
      {
        key: 'empty',
        same: '',
        build: () =>
          h(
            'section',
            { class: 'empty' },
            h('h1', {}, 'No runs yet'),
            h('p', {}, 'Start one with '),
            h('code', {}, 'npx uigate run'),
            h('p', {}, 'or any '),
            h('code', {}, 'npx playwright test'),
          ),
      },
    ]);
  }

  private render() {
    const failure = this.failure;
    if (this.runs.length === 0) return this.renderNoRuns(failure);
    const visible = this.visible;
    const finished = visible
      .filter((run) => run.status !== 'running')
      .map((run) => [run.runId, run.status, run.durationMs]);
    // Rows are rebuilt one by one as their runs change, so a row someone tabbed to keeps the focus.
    this.rows.update(
      visible.map((run) => ({
        key: run.runId,
        same: JSON.stringify([run, ago(run.startedAt)]),
        build: () => row(run),
      })),
    );
    this.slots.update([
      { key: 'title', same: '', build: () => h('h1', {}, 'Runs') },
      // Refreshing while the list cannot be read keeps the last list, and says why it is not moving.
      ...(failure ? [{ key: 'failure', same: failure, build: () => h('p', { class: 'error-box' }, failure) }] : []),
      {
        key: 'flaky',
        same: JSON.stringify([this.flaky ?? null, this.shown]),
        build: () => (this.shown === 'smoke' ? undefined : this.flakyList()),
      },
      {
        key: 'filter',
        same: JSON.stringify([this.shown, this.runs.filter((run) => isSmokeRun(run)).length, this.runs.length]),
        build: () => this.filter(),
      },
      { key: 'trend', same: JSON.stringify(finished.slice(0, 40)), build: () => this.trend() },
      { key: 'runs', same: '', build: () => this.list },
      ...(this.cursor
        ? [
            {
              key: 'more',
              same: '',
              build: () =>
                h(
                  'button',
                  { type: 'button', class: 'more', 'data-focus': 'more', onclick: () => this.more() },
                  'Older runs',
                ),
            },
          ]
        : []),
    ]);
  }
}
