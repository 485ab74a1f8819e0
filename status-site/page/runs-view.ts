// The runs list, newest first: status, commit and branch, counts, duration, when.
import { statusBadge } from './status-badge.ts';
import { api, type FlakyAnswer, type Run } from './api.ts';
import { describeSelection } from '../../runner/core/selection.ts';
import { shownStatus } from '../../runner/core/statuses.ts';
import { runsChart } from './chart.ts';
import { h } from './dom.ts';
import { Poller } from './poller.ts';
import { Slots } from './slots.ts';
import { ago, duration, percent, shortCommit, STATUS_ICON, type Status } from './format.ts';

const REFRESH_MS = 5_000;

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
    statusBadge(run, 'badge'),
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
    h('span', { class: 'source' }, `${run.branch ?? '–'} @ ${shortCommit(run.commit)}`),
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

export class RunsView {
  private runs: Run[] = [];
  private cursor: string | null = null;
  private stopped = false;
  private failure: string | undefined;
  private flaky: FlakyAnswer | undefined;
  private readonly poller = new Poller(REFRESH_MS, () => this.refresh());
  private readonly list = h('div', { class: 'runs', 'data-testid': 'runs' });
  private readonly slots: Slots;
  private readonly rows = new Slots(this.list);

  constructor(
    root: HTMLElement,
    private readonly setCrumbs: (...parts: (string | Node)[]) => void,
  ) {
    this.slots = new Slots(root);
  }

  async start() {
    this.setCrumbs('Runs');
    this.poller.start();
  }

  stop() {
    this.stopped = true;
    this.poller.stop();
  }

  private async refresh(): Promise<boolean> {
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

  private async more() {
    if (!this.cursor) return;
    const page = await api.runs(this.cursor);
    this.runs.push(...page.runs);
    this.cursor = page.cursor;
    this.render();
  }

  /** Charts how the suite has been doing: each finished run's duration, coloured by how it ended. */
  private trend() {
    const finished = this.runs.filter((run) => run.status !== 'running' && run.durationMs !== undefined).slice(0, 40);
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
        `last ${finished.length} finished runs · ${passed} passed (${percent(passed / finished.length)}) · median ${duration(median)}`,
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

  private render() {
    const failure = this.failure;
    if (failure && this.runs.length === 0)
      return this.slots.update([
        { key: 'failure', same: failure, build: () => h('p', { class: 'error-box' }, failure) },
      ]);
    if (this.runs.length === 0) {
      return this.slots.update([
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
    const finished = this.runs
      .filter((run) => run.status !== 'running')
      .map((run) => [run.runId, run.status, run.durationMs]);
    // Rows are rebuilt one by one as their runs change, so a row someone tabbed to keeps the focus.
    this.rows.update(
      this.runs.map((run) => ({
        key: run.runId,
        same: JSON.stringify([run, ago(run.startedAt)]),
        build: () => row(run),
      })),
    );
    this.slots.update([
      { key: 'title', same: '', build: () => h('h1', {}, 'Runs') },
      // Refreshing while the list cannot be read keeps the last list, and says why it is not moving.
      ...(failure ? [{ key: 'failure', same: failure, build: () => h('p', { class: 'error-box' }, failure) }] : []),
      { key: 'trend', same: JSON.stringify(finished.slice(0, 40)), build: () => this.trend() },
      { key: 'flaky', same: JSON.stringify(this.flaky ?? null), build: () => this.flakyList() },
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
