// A run: its summary, the module × browser matrix (live while the run goes), filters, the units
// of a chosen cell, and one unit in full.
import { api, type Changes, type Run, type Unit } from './api.ts';
import { newerUnits } from './newer-units.ts';
import { command, h, replace } from './dom.ts';
import { Poller } from './poller.ts';
import { Slots } from './slots.ts';
import { ago, duration, shortCommit, STATUS_LABEL, type Status } from './format.ts';
import { describeSelection } from '../../runner/core/selection.ts';
import { DISPLAY_ORDER, isGood, needsALook, STATUS_ICON, worst } from '../../runner/core/statuses.ts';
import { statusBadge } from './status-badge.ts';
import { unitPanel } from './unit-panel.ts';
import { ApprovalPanel } from './approval-panel.ts';
import { releaseBadge } from './releases-view.ts';
import type { ReleaseState } from '../shared/release-history.ts';

const POLL_MS = 1_500;

interface Filters {
  failedOnly: boolean;
  projects: Set<string>;
  module: string;
}

interface Cell {
  module: string;
  project: string;
}

export class RunView {
  private run: Run | undefined;
  private units: Unit[] = [];
  private filters: Filters = { failedOnly: false, projects: new Set(), module: '' };
  private cell: Cell | undefined;
  /** Rows shown of each unit list: a page at first, more on asking, so a run of thousands draws fast. */
  private listed = { cell: LIST_ROWS, failures: LIST_ROWS, flaky: LIST_ROWS };
  private unitKey: string | undefined;
  private stopped = false;
  private readonly poller = new Poller(POLL_MS, () => this.load());
  private readonly body = h('div', { class: 'run-view' });
  // What a screen reader hears: new failures and the end of the run — not every redraw of a poll.
  private readonly announcer = h('p', { class: 'visually-hidden', role: 'status', 'data-testid': 'announcer' });
  private readonly layout = h('div', { class: 'run-layout' });
  private readonly main = h('div', { class: 'run-main' });
  private readonly bodySlots = new Slots(this.body);
  private readonly layoutSlots = new Slots(this.layout);
  private readonly mainSlots = new Slots(this.main);
  private readonly approval: ApprovalPanel;
  private approvalLoaded = false;
  /** What became of the release this run was, once the approval panel has read its timeline. */
  private release: ReleaseState | undefined;
  private changes: Changes | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly runId: string,
    private readonly setCrumbs: (...parts: (string | Node)[]) => void,
  ) {
    const params = new URLSearchParams(location.search);
    this.unitKey = params.get('unit') ?? undefined;
    this.filters.failedOnly = params.get('failed') === '1';
    this.approval = new ApprovalPanel(runId, (state) => {
      this.release = state;
      if (this.run) this.render();
    });
  }

  async start() {
    replace(this.root, this.body);
    this.setCrumbs(h('a', { href: '/' }, 'Runs'), this.runId);
    this.poller.start();
  }

  stop() {
    this.stopped = true;
    this.poller.stop();
    this.approval.stop();
  }

  /** Polls once; answers whether to poll again: while the run goes, and once it ends one last time. */
  private async load(): Promise<boolean> {
    try {
      const detail = await api.run(this.runId);
      if (this.stopped) return false;
      this.run = detail.run;
      this.units = newerUnits(this.units, detail.units);
      this.render();
    } catch (error) {
      if (!this.run)
        replace(
          this.body,
          h('p', { class: 'error-box' }, `Could not load run ${this.runId}: ${(error as Error).message}`),
        );
    }
    if (this.run && this.run.status !== 'running' && !this.approvalLoaded) {
      this.approvalLoaded = true;
      this.approval.showSinceRelease(this.run.sinceRelease);
      void this.approval.load();
      void this.loadChanges();
    }
    return !this.run || this.run.status === 'running';
  }

  private visibleUnits(): Unit[] {
    const { failedOnly, projects, module } = this.filters;
    const needle = module.trim().toLowerCase();
    return this.units.filter(
      (unit) =>
        (!failedOnly || needsALook(unit.status)) &&
        (projects.size === 0 || projects.has(unit.project)) &&
        (!needle || unit.module.toLowerCase().includes(needle)),
    );
  }

  private render() {
    const started = performance.now();
    const run = this.run!;
    const units = this.visibleUnits();
    const selected = this.unitKey ? this.units.find((unit) => unit.key === this.unitKey) : undefined;
    const { failedOnly, projects } = this.filters;
    const elapsed = duration(run.durationMs ?? Date.now() - Date.parse(run.startedAt));
    // Each part names the data it is built from; a poll that changed nothing in it leaves it alone.
    this.bodySlots.update([
      { key: 'announcer', same: '', build: () => this.announcer },
      {
        key: 'summary',
        same: JSON.stringify([
          run,
          this.units.map((unit) => unit.status),
          this.changes,
          elapsed,
          ago(run.startedAt),
          this.release ?? null,
        ]),
        build: () => this.summary(run),
      },
      ...(run.status === 'running' ? [] : [{ key: 'approval', same: '', build: () => this.approval.element }]),
      // The module filter is left out: its field already shows what is typed in it.
      {
        key: 'filters',
        same: JSON.stringify([run.projects, failedOnly, [...projects]]),
        build: () => this.filterBar(run),
      },
      { key: 'layout', same: '', build: () => this.layout },
    ]);
    const announcement = this.announcement(run);
    if (this.announcer.textContent !== announcement) this.announcer.textContent = announcement;
    this.layout.classList.toggle('with-panel', selected !== undefined);
    this.layoutSlots.update([
      { key: 'main', same: '', build: () => this.main },
      ...(selected
        ? [
            {
              key: `panel ${selected.key}`,
              same: JSON.stringify(selected),
              build: () => unitPanel(selected, () => this.selectUnit(undefined)),
            },
          ]
        : []),
    ]);
    const shown = units.map((unit) => [unit.key, unit.status, unit.durationMs, unit.error?.message]);
    this.mainSlots.update([
      {
        key: 'matrix',
        same: JSON.stringify([run.projects, failedOnly, [...projects], this.cell, shown]),
        build: () => this.matrix(run, units),
      },
      {
        key: 'list',
        same: JSON.stringify([this.cell, this.unitKey, this.changes, shown, this.listed]),
        build: () => this.unitList(units),
      },
    ]);
    document.title = `${STATUS_ICON[run.status as Status] ?? ''} ${run.runId} — uigate`;
    // Named, so what a poll's redraw costs shows in a browser's performance tools (and the bench).
    performance.measure('uigate:render', { start: started });
  }

  /** Counts the units in each status, in reading order. From the units themselves: they are what the matrix shows, and never lag behind. */
  private counts(): (readonly [Status, number])[] {
    const tally = new Map<Status, number>();
    for (const unit of this.units) tally.set(unit.status, (tally.get(unit.status) ?? 0) + 1);
    return DISPLAY_ORDER.filter((status) => tally.has(status)).map((status) => [status, tally.get(status)!] as const);
  }

  private announcement(run: Run): string {
    const bad = this.units.filter((unit) => unit.status === 'failed' || unit.status === 'errored').length;
    if (run.status === 'running') return bad ? `${bad} unit${bad === 1 ? '' : 's'} failed so far` : '';
    return `Run ${run.status}: ${this.counts()
      .map(([status, n]) => `${n} ${STATUS_LABEL[status]}`)
      .join(', ')}`;
  }

  private title(run: Run) {
    return h(
      'div',
      { class: 'run-title' },
      statusBadge(run, 'badge big', 'run-status'),
      // Its tests passed, and then its release failed: both, side by side, never a lone green.
      this.release
        ? h(
            'a',
            { class: 'release-link', href: '/releases', title: 'what became of the release' },
            'release ',
            releaseBadge(this.release, 'run-release'),
          )
        : undefined,
      h('h1', {}, run.runId),
    );
  }

  private summary(run: Run) {
    const finished = this.units.filter((unit) => !['queued', 'running', 'retrying'].includes(unit.status)).length;
    const elapsed = run.durationMs ?? Date.now() - Date.parse(run.startedAt);
    const counts = this.counts();
    return h(
      'section',
      { class: 'run-summary' },
      this.title(run),
      h(
        'p',
        { class: 'muted' },
        `${run.branch ?? 'no branch'} @ ${shortCommit(run.commit)} · ${run.trigger} · started ${ago(run.startedAt)} · ${duration(elapsed)}`,
        run.reason ? ` · ${run.reason}` : undefined,
        reportLink(run),
      ),
      // A narrowed run is not the whole suite: say so where the counts are read.
      run.selection
        ? h(
            'p',
            { class: 'muted', 'data-testid': 'run-selection' },
            `narrowed: ${describeSelection(run.selection)}`,
            run.selection.rerunOf
              ? h(
                  'span',
                  {},
                  ' · ',
                  h('a', { href: `/runs/${encodeURIComponent(run.selection.rerunOf)}` }, 'the run it re-ran'),
                )
              : undefined,
          )
        : undefined,
      h(
        'div',
        {
          class: 'progress',
          role: 'progressbar',
          'aria-valuemin': 0,
          'aria-valuemax': this.units.length,
          'aria-valuenow': finished,
        },
        ...counts.map(([status, n]) =>
          h('span', { class: `seg s-${status}`, style: `flex-grow:${n}`, title: `${n} ${status}` }),
        ),
      ),
      h(
        'p',
        { class: 'chips' },
        ...counts.map(([status, n]) =>
          h('span', { class: `chip s-${status}` }, `${STATUS_ICON[status]} ${n} ${STATUS_LABEL[status]}`),
        ),
        h('span', { class: 'muted' }, ` ${finished}/${this.units.length} done`),
      ),
      this.changeLine(run),
      this.rerun(run),
    );
  }

  private async loadChanges() {
    try {
      this.changes = await api.changes(this.runId);
      if (!this.stopped) this.render();
    } catch {
      // Without the comparison the run page still says everything about the run itself.
    }
  }

  /** Says the new failures, old ones and fixes since the last full run on the branch. */
  private changeLine(run: Run) {
    const changes = this.changes;
    if (!changes) return undefined;
    if (!changes.baseline)
      return h(
        'p',
        { class: 'muted', 'data-testid': 'changes' },
        `No earlier full run on ${run.branch ?? 'this branch'} to compare with.`,
      );
    const { baseline } = changes;
    const firstFailures = changes.firstFailures;
    return h(
      'p',
      { class: 'changes', 'data-testid': 'changes' },
      'Since ',
      h('a', { href: `/runs/${encodeURIComponent(baseline.runId)}` }, baseline.runId),
      ` (the last full run on ${run.branch ?? 'this branch'}, ${baseline.status}): `,
      h(
        'span',
        { class: `chip ${changes.newFailures.length ? 's-failed' : firstFailures.length ? '' : 's-passed'}` },
        `${changes.newFailures.length} new failure${changes.newFailures.length === 1 ? '' : 's'}`,
      ),
      ' ',
      firstFailures.length
        ? h(
            'span',
            { class: 'chip s-failed', title: 'failing, and not run in the last full run: a new or renamed test' },
            `${firstFailures.length} failing in ${firstFailures.length === 1 ? 'its' : 'their'} first run`,
          )
        : undefined,
      firstFailures.length ? ' ' : undefined,
      h('span', { class: 'chip' }, `${changes.stillFailing.length} failing before too`),
      ' ',
      h('span', { class: `chip ${changes.fixed.length ? 's-passed' : ''}` }, `${changes.fixed.length} fixed`),
    );
  }

  /** Tags a failure: new since the last full run, or failing then too. */
  private changeTag(unit: Unit) {
    if (this.changes?.newFailures.includes(unit.key))
      return h('span', { class: 'tag new', title: 'passed in the last full run on this branch' }, 'new');
    if (this.changes?.firstFailures.includes(unit.key))
      return h('span', { class: 'tag new', title: 'not run in the last full run on this branch' }, 'first run');
    if (this.changes?.stillFailing.includes(unit.key))
      return h(
        'span',
        { class: 'tag known', title: 'failed in the last full run on this branch too' },
        'failing before',
      );
    return undefined;
  }

  /** Shows, for a finished run with failures, the command that runs just those again. */
  private rerun(run: Run) {
    if (run.status === 'running' || !this.units.some((unit) => !isGood(unit.status))) return undefined;
    return h(
      'div',
      { class: 'rerun', 'data-testid': 'rerun' },
      h('p', { class: 'muted' }, 'Re-run what did not pass:'),
      command(`npx uigate run --rerun-failed ${run.runId}`),
    );
  }

  private filterBar(run: Run) {
    const projects = run.projects.length ? run.projects : [...new Set(this.units.map((unit) => unit.project))];
    const failed = h('input', {
      type: 'checkbox',
      id: 'failed-only',
      checked: this.filters.failedOnly,
      'data-focus': 'failed-only',
    });
    failed.addEventListener('change', () => {
      this.filters.failedOnly = failed.checked;
      this.render();
    });
    const search = h('input', {
      type: 'search',
      placeholder: 'Filter modules',
      value: this.filters.module,
      'aria-label': 'Filter modules',
      'data-focus': 'module-filter',
    });
    search.addEventListener('input', () => {
      this.filters.module = search.value;
      this.render();
    });
    return h(
      'div',
      { class: 'filters' },
      h('label', { class: 'toggle' }, failed, ' Failed only'),
      h(
        'div',
        { class: 'browser-filter', role: 'group', 'aria-label': 'Browsers' },
        ...projects.map((project) => {
          const on = this.filters.projects.size === 0 || this.filters.projects.has(project);
          return h(
            'button',
            {
              type: 'button',
              class: `chip-toggle${on ? ' on' : ''}`,
              'aria-pressed': on ? 'true' : 'false',
              'data-focus': `browser ${project}`,
              onclick: () => {
                const set = this.filters.projects;
                if (set.size === 0) projects.filter((p) => p !== project).forEach((p) => set.add(p));
                else if (set.has(project)) set.delete(project);
                else set.add(project);
                if (set.size === projects.length) set.clear();
                this.render();
              },
            },
            project,
          );
        }),
      ),
      search,
    );
  }

  private matrix(run: Run, units: Unit[]) {
    const tests = units.filter((unit) => unit.role !== 'dependency');
    const setup = units.filter((unit) => unit.role === 'dependency');
    const wanted = (project: string) => this.filters.projects.size === 0 || this.filters.projects.has(project);
    const projects = (
      run.projects.length
        ? run.projects
        : [...new Set(this.units.filter((u) => u.role !== 'dependency').map((u) => u.project))]
    ).filter(wanted);
    if (tests.length === 0 && setup.length === 0)
      return h('p', { class: 'empty' }, this.filters.failedOnly ? 'Nothing failed. ✓' : 'No units match the filters.');
    return h(
      'div',
      {},
      tests.length ? this.matrixTable(tests, projects, 'Module', 'matrix') : undefined,
      // Setup and teardown projects run beside every batch of their dependents and are recorded once: not a browser column.
      setup.length
        ? this.matrixTable(setup, [...new Set(setup.map((unit) => unit.project))], 'Setup and teardown', 'setup-matrix')
        : undefined,
    );
  }

  private matrixTable(units: Unit[], projects: string[], corner: string, testid: string) {
    const modules = [...new Set(units.map((unit) => unit.module))].sort();
    const byCell = new Map<string, Unit[]>();
    for (const unit of units) {
      const key = `${unit.module}\u0000${unit.project}`;
      byCell.set(key, [...(byCell.get(key) ?? []), unit]);
    }
    const head = h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, corner), ...projects.map((project) => h('th', { scope: 'col' }, project))),
    );
    const rows = modules.map((module) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, module),
        ...projects.map((project) => this.matrixCell(module, project, byCell.get(`${module}\u0000${project}`) ?? [])),
      ),
    );
    return h(
      'div',
      { class: 'matrix-wrap', 'data-scroll': testid },
      h('table', { class: 'matrix', 'data-testid': testid }, head, h('tbody', {}, ...rows)),
    );
  }

  /** Draws one module in one browser: its worst status, how many passed of how many, the flaky ones; a button that opens them. */
  private matrixCell(module: string, project: string, cellUnits: Unit[]) {
    if (cellUnits.length === 0) return h('td', { class: 'none' }, '');
    const status = worst(cellUnits.map((unit) => unit.status));
    const good = cellUnits.filter((unit) => isGood(unit.status)).length;
    const flaky = cellUnits.filter((unit) => unit.status === 'flaky').length;
    const chosen = this.cell?.module === module && this.cell.project === project;
    return h(
      'td',
      {
        class: `cell s-${status}${chosen ? ' chosen' : ''}`,
        'data-module': module,
        'data-project': project,
        'data-status': status,
      },
      h(
        'button',
        {
          type: 'button',
          'aria-label': `${module} in ${project}: ${status}`,
          'data-focus': `cell ${module} ${project}`,
          onclick: () => this.selectCell(chosen ? undefined : { module, project }),
        },
        h('span', { class: 'icon' }, STATUS_ICON[status]),
        ` ${good}/${cellUnits.length}`,
        flaky ? h('span', { class: 'flaky-mark' }, ` ~${flaky}`) : undefined,
      ),
    );
  }

  private unitList(units: Unit[]) {
    const cell = this.cell;
    if (cell) {
      const inCell = units.filter((unit) => unit.module === cell.module && unit.project === cell.project);
      return this.unitSection(`${cell.module} · ${cell.project}`, inCell, 'cell');
    }
    // Failures first and apart: a flaky pass is worth a look, never mistaken for a failure.
    const failures = units.filter((unit) => needsALook(unit.status) && unit.status !== 'flaky');
    const flaky = units.filter((unit) => unit.status === 'flaky');
    if (!failures.length && !flaky.length) return undefined;
    return h(
      'div',
      { class: 'unit-lists' },
      this.unitSection(`Failures (${failures.length})`, failures, 'failures'),
      this.unitSection(`Flaky passes (${flaky.length})`, flaky, 'flaky'),
    );
  }

  private unitSection(heading: string, shown: Unit[], kind: 'cell' | 'failures' | 'flaky') {
    if (shown.length === 0) return undefined;
    return h(
      'section',
      { class: 'unit-list', 'data-testid': `unit-list-${kind}` },
      h('h2', {}, heading),
      h(
        'ul',
        {},
        ...shown.slice(0, this.listed[kind]).map((unit) =>
          h(
            'li',
            { class: unit.key === this.unitKey ? 'chosen' : undefined },
            h(
              'button',
              {
                type: 'button',
                class: 'unit-row',
                'data-key': unit.key,
                'data-focus': `unit ${unit.key}`,
                onclick: () => this.selectUnit(unit.key, { reveal: true }),
              },
              h('span', { class: `badge s-${unit.status}` }, STATUS_ICON[unit.status]),
              h('span', { class: 'unit-name' }, unit.titlePath.join(' › ')),
              this.changeTag(unit),
              h(
                'span',
                { class: 'muted small' },
                kind === 'cell' ? duration(unit.durationMs) : `${unit.project} · ${duration(unit.durationMs)}`,
              ),
            ),
            kind === 'failures' && unit.error
              ? h('pre', { class: 'error-preview' }, preview(unit.error.message))
              : undefined,
          ),
        ),
      ),
      shown.length > this.listed[kind]
        ? h(
            'button',
            {
              type: 'button',
              class: 'more',
              'data-focus': `more ${kind}`,
              onclick: () => {
                this.listed = { ...this.listed, [kind]: this.listed[kind] + LIST_ROWS };
                this.render();
              },
            },
            `Show ${Math.min(LIST_ROWS, shown.length - this.listed[kind])} more of ${shown.length - this.listed[kind]}`,
          )
        : undefined,
    );
  }

  private selectCell(cell: Cell | undefined) {
    this.cell = cell;
    this.render();
  }

  private selectUnit(key: string | undefined, options: { reveal?: boolean } = {}) {
    this.unitKey = key;
    const url = new URL(location.href);
    if (key) url.searchParams.set('unit', key);
    else url.searchParams.delete('unit');
    history.replaceState(null, '', url);
    this.render();
    // On a narrow screen the panel sits above the list (style.css): a tapped row far down would
    // open it out of sight. Only on a tap — a live update never moves the reader.
    if (key && options.reveal && matchMedia(NARROW).matches)
      this.layout.querySelector('[data-testid="unit-panel"]')?.scrollIntoView({ block: 'start' });
  }
}

/** Rows of a unit list drawn at first, and added on each "Show more". */
const LIST_ROWS = 100;

/** Lines of an error shown in the list: enough for Playwright's Expected and Received. */
const PREVIEW_LINES = 6;

/** An error's first lines, blank ones dropped; the panel has the whole of it. */
function preview(message: string): string {
  const lines = message.split('\n').filter((line) => line.trim());
  return lines.length > PREVIEW_LINES ? [...lines.slice(0, PREVIEW_LINES), '…'].join('\n') : lines.join('\n');
}

/** Where the unit panel moves above the list (style.css's narrow layout). */
const NARROW = '(max-width: 820px)';

/** Playwright's own report of the whole run, merged from every batch: the report users know. */
function reportLink(run: Run) {
  if (!run.htmlReport) return undefined;
  const href = `/reports/${encodeURIComponent(run.runId)}/`;
  return h('span', {}, ' · ', h('a', { href, 'data-testid': 'html-report' }, 'Playwright report'));
}
