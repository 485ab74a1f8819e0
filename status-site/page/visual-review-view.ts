// The approval's visual review: one row per screenshot, one cell per browser, largest changes first
// (the order the approval side gives). Each cell shows Expected, Actual, Diff, the two side by side,
// or a slider between them, with the share of pixels changed or "new", and what was decided of it;
// accept or reject a cell, or accept a row in every browser. Keys: arrows move between cells,
// a accepts, r rejects, v shows the next view. A counter says what is still undecided.
import type { ReviewedItem } from './api.ts';
import { artifactUrl } from './api.ts';
import { h } from './dom.ts';

export interface VisualAnswer {
  accept?: string[];
  reject?: string[];
}

export interface VisualReviewOptions {
  runId: string;
  /** Whether this reader can decide (a pending request, on a site that takes decisions). */
  canDecide: boolean;
  decide(answer: VisualAnswer): void;
}

const VIEWS = ['side by side', 'expected', 'actual', 'diff', 'slider'] as const;
type View = (typeof VIEWS)[number];

/** The view each cell shows, kept across redraws while the page is open. */
const shownView = new Map<string, View>();

const isOpen = (item: ReviewedItem) => !item.decided && !item.alreadyAccepted;

function stateOf(item: ReviewedItem): { text: string; css: string } {
  if (item.decided)
    return {
      text: `${item.decided.decision} by ${item.decided.approver}`,
      css: item.decided.decision === 'accepted' ? 'v-accepted' : 'v-rejected',
    };
  if (item.alreadyAccepted)
    return {
      text: `already accepted by ${item.alreadyAccepted.approver} in run ${item.alreadyAccepted.runId}`,
      css: 'v-accepted',
    };
  return { text: 'undecided', css: 'v-open' };
}

/** The rows: a screenshot of a test, with its browsers' cells, in the order of their largest change. */
function rowsOf(items: readonly ReviewedItem[]): { title: string; file: string; cells: ReviewedItem[] }[] {
  const rows = new Map<string, { title: string; file: string; cells: ReviewedItem[] }>();
  for (const item of items) {
    const key = `${item.file}\u0000${item.test}\u0000${item.screenshot}`;
    const row = rows.get(key) ?? { title: `${item.test} · ${item.screenshot}`, file: item.file, cells: [] };
    row.cells.push(item);
    rows.set(key, row);
  }
  return [...rows.values()];
}

function image(runId: string, label: string, key: string | undefined) {
  if (!key) return h('p', { class: 'muted' }, `${label}: none (a new screenshot has no baseline)`);
  return h(
    'figure',
    {},
    h('img', { src: artifactUrl(runId, key), alt: `${label}: ${key.split('/').pop()}`, loading: 'lazy' }),
    h('figcaption', {}, label),
  );
}

/** Expected under Actual, the Actual uncovered from the left as the slider moves. */
function slider(runId: string, item: ReviewedItem) {
  if (!item.images.expected) return image(runId, 'Actual', item.images.actual);
  const actual = h('img', { src: artifactUrl(runId, item.images.actual), alt: 'Actual', class: 'slider-top' });
  const range = h('input', { type: 'range', min: 0, max: 100, value: 50, 'aria-label': 'Expected ← → Actual' });
  const clip = () => (actual.style.clipPath = `inset(0 ${100 - Number(range.value)}% 0 0)`);
  range.addEventListener('input', clip);
  clip();
  return h(
    'div',
    { class: 'slider' },
    h(
      'div',
      { class: 'slider-images' },
      h('img', { src: artifactUrl(runId, item.images.expected), alt: 'Expected' }),
      actual,
    ),
    range,
  );
}

function viewOf(runId: string, item: ReviewedItem, view: View) {
  const { expected, actual, diff } = item.images;
  if (view === 'expected') return image(runId, 'Expected', expected);
  if (view === 'actual') return image(runId, 'Actual', actual);
  if (view === 'diff') return image(runId, 'Diff', diff);
  if (view === 'slider') return slider(runId, item);
  return h('div', { class: 'visual-images' }, image(runId, 'Expected', expected), image(runId, 'Actual', actual));
}

/** Accept and Reject, for a reader who may decide a change not yet decided. */
function cellActions(item: ReviewedItem, options: VisualReviewOptions) {
  if (!options.canDecide || !isOpen(item)) return undefined;
  const decide = (answer: VisualAnswer) => () => options.decide(answer);
  return h(
    'div',
    { class: 'buttons' },
    h('button', { type: 'button', class: 'approve', onclick: decide({ accept: [item.fingerprint] }) }, 'Accept'),
    h('button', { type: 'button', class: 'reject', onclick: decide({ reject: [item.fingerprint] }) }, 'Reject'),
  );
}

function cell(item: ReviewedItem, options: VisualReviewOptions, executors: number) {
  const state = stateOf(item);
  const view = shownView.get(item.fingerprint) ?? 'side by side';
  const shown = h('div', { class: 'visual-view' }, viewOf(options.runId, item, view));
  const choose = (next: View) => {
    shownView.set(item.fingerprint, next);
    shown.replaceChildren(viewOf(options.runId, item, next));
    for (const button of tabs.querySelectorAll('button'))
      button.setAttribute('aria-pressed', String(button.value === next));
  };
  const tabs = h(
    'div',
    { class: 'visual-tabs', role: 'group', 'aria-label': 'Show' },
    ...VIEWS.map((name) =>
      h(
        'button',
        { type: 'button', value: name, 'aria-pressed': String(name === view), onclick: () => choose(name) },
        name,
      ),
    ),
  );
  const actions = cellActions(item, options);
  const element = h(
    'div',
    {
      class: `visual-cell ${state.css}`,
      tabindex: 0,
      'data-fingerprint': item.fingerprint,
      'data-testid': 'visual-cell',
      'aria-label': `${item.project}: ${item.kind === 'new' ? 'new screenshot' : 'changed'}, ${state.text}`,
    },
    h(
      'p',
      {},
      h('strong', {}, item.project),
      ` · ${item.kind === 'new' ? 'new' : item.ratio !== undefined ? `${(item.ratio * 100).toFixed(2)} % changed` : 'size changed'}`,
      executors > 1 && item.executor ? ` · compared on ${item.executor}` : undefined,
      ' · ',
      h('span', { class: 'visual-state' }, state.text),
    ),
    h('code', { class: 'small visual-baseline' }, item.baseline),
    tabs,
    shown,
    actions,
  );
  element.addEventListener('keydown', (event) => {
    if (event.target !== element) return;
    if (event.key === 'v') choose(VIEWS[(VIEWS.indexOf(shownView.get(item.fingerprint) ?? view) + 1) % VIEWS.length]!);
    else if (options.canDecide && isOpen(item) && (event.key === 'a' || event.key === 'r'))
      options.decide(event.key === 'a' ? { accept: [item.fingerprint] } : { reject: [item.fingerprint] });
  });
  return element;
}

/** Moves focus between cells with the arrow keys, in reading order. */
function arrowKeys(root: HTMLElement) {
  root.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    const cells = [...root.querySelectorAll<HTMLElement>('.visual-cell')];
    const at = cells.indexOf(event.target as HTMLElement);
    if (step === undefined || at === -1) return;
    event.preventDefault();
    cells[Math.min(cells.length - 1, Math.max(0, at + step))]!.focus();
  });
}

/** The visual review section of the approval panel; nothing when the run has no screenshot changes. */
export function visualReviewView(items: readonly ReviewedItem[] | undefined, options: VisualReviewOptions) {
  if (!items?.length) return undefined;
  const open = items.filter(isOpen);
  const executors = new Set(items.map((item) => item.executor)).size;
  const rows = rowsOf(items).map((row) => {
    const rowOpen = row.cells.filter(isOpen).map((item) => item.fingerprint);
    return h(
      'div',
      { class: 'visual-row', 'data-testid': 'visual-row' },
      h(
        'div',
        { class: 'visual-row-head' },
        h('h4', {}, row.title),
        h('code', { class: 'small' }, row.file),
        options.canDecide && rowOpen.length > 1
          ? h(
              'button',
              { type: 'button', class: 'approve', onclick: () => options.decide({ accept: rowOpen }) },
              'Accept in all browsers',
            )
          : undefined,
      ),
      h('div', { class: 'visual-cells' }, ...row.cells.map((item) => cell(item, options, executors))),
    );
  });
  const root = h(
    'section',
    { class: 'visual-review', 'data-testid': 'visual-review' },
    h(
      'h3',
      {},
      'Screenshot changes ',
      h(
        'span',
        { class: `badge ${open.length ? 'a-pending' : 'a-approved'}`, 'data-testid': 'visual-undecided' },
        open.length ? `${open.length} undecided` : 'all decided',
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      'Each change needs a decision before the release can be approved; one rejection rejects it. Keys: arrows move, a accepts, r rejects, v changes the view.',
      executors > 1
        ? ' These were compared on more than one executor: Lambda’s Chromium renders differently from Playwright’s, so compare each project on one executor.'
        : '',
    ),
    ...rows,
  );
  arrowKeys(root);
  return root;
}
