// The runs list, newest first: status, commit and branch, counts, duration, when.
import { api, type Run } from './api.ts';
import { describeSelection } from '../../runner/selection.ts';
import { runsChart } from './chart.ts';
import { h, replace } from './dom.ts';
import { ago, duration, percent, shortCommit, STATUS_ICON, type Status } from './format.ts';

const REFRESH_MS = 5_000;

function countsBar(run: Run) {
  const entries = (Object.entries(run.counts) as [Status, number][]).filter(([, n]) => n > 0);
  return h('div', { class: 'mini-bar', title: entries.map(([s, n]) => `${n} ${s}`).join(', ') },
    ...entries.map(([status, n]) => h('span', { class: `seg s-${status}`, style: `flex-grow:${n}` })),
  );
}

function row(run: Run) {
  const counts = (Object.entries(run.counts) as [Status, number][]).filter(([, n]) => n > 0);
  return h('a', { class: 'run-row', href: `/runs/${encodeURIComponent(run.runId)}`, 'data-run': run.runId },
    h('span', { class: `badge s-${run.status}` }, run.status),
    h('span', { class: 'run-id' }, run.runId, h('span', { class: 'muted small' }, ` ${run.trigger}`),
      // A partial run reads like a green one at a glance; mark it.
      run.selection ? h('span', { class: 'tag narrowed', title: `narrowed: ${describeSelection(run.selection)}` }, 'narrowed') : undefined),
    h('span', { class: 'source' }, `${run.branch ?? '–'} @ ${shortCommit(run.commit)}`),
    h('span', { class: 'counts' }, countsBar(run), h('span', { class: 'small' }, counts.map(([s, n]) => `${STATUS_ICON[s]}${n}`).join(' '))),
    h('span', { class: 'muted small' }, run.status === 'running' ? 'running…' : duration(run.durationMs)),
    h('span', { class: 'muted small' }, ago(run.startedAt)),
  );
}

export class RunsView {
  private runs: Run[] = [];
  private cursor: string | null = null;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly setCrumbs: (...parts: (string | Node)[]) => void,
  ) {}

  async start() {
    this.setCrumbs('Runs');
    await this.refresh();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async refresh() {
    try {
      const page = await api.runs();
      if (this.stopped) return;
      // Keep pages already loaded beyond the first; replace the first with what is new.
      const older = this.runs.slice(page.runs.length).filter((run) => !page.runs.some((r) => r.runId === run.runId));
      this.runs = [...page.runs, ...older];
      if (this.cursor === null || older.length === 0) this.cursor = page.cursor;
      this.render();
    } catch (error) {
      replace(this.root, h('p', { class: 'error-box' }, `Could not load runs: ${(error as Error).message}`));
    }
    if (!this.stopped) this.timer = window.setTimeout(() => this.refresh(), REFRESH_MS);
  }

  private async more() {
    if (!this.cursor) return;
    const page = await api.runs(this.cursor);
    this.runs.push(...page.runs);
    this.cursor = page.cursor;
    this.render();
  }

  /** How the suite has been doing: each finished run's duration, coloured by how it ended. */
  private trend() {
    const finished = this.runs.filter((run) => run.status !== 'running' && run.durationMs !== undefined).slice(0, 40);
    if (finished.length < 2) return undefined;
    const passed = finished.filter((run) => run.status === 'passed').length;
    const sorted = finished.map((run) => run.durationMs!).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return h('section', { class: 'trend', 'data-testid': 'runs-trend' },
      h('h3', {}, 'Recent runs'),
      runsChart(finished),
      h('p', { class: 'stats muted small' }, `last ${finished.length} finished runs · ${passed} passed (${percent(passed / finished.length)}) · median ${duration(median)}`),
    );
  }

  private render() {
    if (this.runs.length === 0) {
      replace(this.root, h('section', { class: 'empty' }, h('h1', {}, 'No runs yet'), h('p', {}, 'Start one with '), h('code', {}, 'npx uigate run'), h('p', {}, 'or any '), h('code', {}, 'npx playwright test')));
      return;
    }
    replace(this.root,
      h('h1', {}, 'Runs'),
      this.trend(),
      h('div', { class: 'runs', 'data-testid': 'runs' }, ...this.runs.map(row)),
      this.cursor ? h('button', { type: 'button', class: 'more', onclick: () => this.more() }, 'Older runs') : undefined,
    );
  }
}
