// One unit, in full: what failed and where, the screenshot, the trace and how to open it, each
// attempt, and how this unit has done in recent runs.
import { api, artifactUrl, type Unit } from './api.ts';
import { historyChart } from './chart.ts';
import { command, h, replace } from './dom.ts';
import { duration, percent, STATUS_ICON, STATUS_LABEL } from './format.ts';
import { traceViewerUrl } from '../shared/trace-viewer-url.ts';

function badge(unit: Pick<Unit, 'status'>) {
  return h('span', { class: `badge s-${unit.status}` }, `${STATUS_ICON[unit.status]} ${STATUS_LABEL[unit.status]}`);
}

function screenshotFigure(unit: Unit, shot: NonNullable<Unit['attachments']>[number]) {
  const url = artifactUrl(unit.runId, shot.path);
  return h(
    'figure',
    {},
    h(
      'a',
      { href: url, target: '_blank', rel: 'noopener' },
      h('img', { src: url, alt: `Screenshot: ${shot.name}`, loading: 'lazy' }),
    ),
    h('figcaption', {}, shot.name),
  );
}

function traceLinks(unit: Unit, trace: NonNullable<Unit['attachments']>[number]) {
  const file = trace.path.split('/').pop()!;
  const url = artifactUrl(unit.runId, trace.path);
  return h(
    'div',
    { class: 'trace' },
    // Playwright's own viewer, served by this site; a new tab, so the run stays where it was.
    h(
      'a',
      { class: 'button', href: traceViewerUrl(new URL(url, location.href).href), target: '_blank', rel: 'noopener' },
      '▶ Open trace',
    ),
    ' ',
    h('a', { class: 'button secondary', href: url, download: file }, '⬇ Download trace'),
    h('p', { class: 'muted' }, 'or open the download with:'),
    command(`npx playwright show-trace ${file}`),
  );
}

/** The attachments of one attempt; those recorded without an attempt count as the last one's. */
const attachmentsOf = (unit: Unit, attempt: number) =>
  (unit.attachments ?? []).filter((a) => (a.attempt ?? unit.attempt) === attempt);

/** The stored images of the unit's screenshot comparisons: shown side by side in visualPart, not again. */
const comparisonImages = (unit: Unit) =>
  new Set((unit.visual ?? []).flatMap((change) => [change.expected, change.actual, change.diff]));

/** Each failed screenshot comparison: Expected, Actual and Diff side by side, and how to accept it. */
function visualPart(unit: Unit) {
  if (!unit.visual?.length) return undefined;
  const image = (label: string, key: string | undefined) =>
    key
      ? h(
          'figure',
          {},
          h(
            'a',
            { href: artifactUrl(unit.runId, key), target: '_blank', rel: 'noopener' },
            h('img', { src: artifactUrl(unit.runId, key), alt: `${label}: ${key.split('/').pop()}`, loading: 'lazy' }),
          ),
          h('figcaption', {}, label),
        )
      : undefined;
  return h(
    'section',
    { class: 'visual-changes', 'data-testid': 'visual-changes' },
    h('h3', {}, unit.visualOnly ? 'Failed visually only' : 'Screenshot comparisons that failed'),
    ...unit.visual.map((change) =>
      h(
        'div',
        { class: 'visual-change' },
        h(
          'p',
          {},
          h('strong', {}, change.kind === 'new' ? 'New screenshot, no baseline yet' : 'Screenshot changed'),
          change.pixels !== undefined
            ? ` — ${change.pixels} px differ (${((change.ratio ?? 0) * 100).toFixed(1)}%)`
            : undefined,
          ' · baseline ',
          h('code', {}, change.baseline),
        ),
        h(
          'div',
          { class: 'visual-images' },
          image('Expected', change.expected),
          image('Actual', change.actual),
          image('Diff', change.diff),
        ),
      ),
    ),
    h('p', { class: 'muted' }, 'Intended? Make these the baselines from this run’s images, then commit them:'),
    command(`npx uigate baselines --run ${unit.runId} --write`),
  );
}

function evidence(unit: Unit) {
  const shown = comparisonImages(unit);
  const attachments = attachmentsOf(unit, unit.attempt).filter((a) => !shown.has(a.path));
  const screenshots = attachments.filter((a) => a.contentType.startsWith('image/'));
  const traces = attachments.filter((a) => a.name === 'trace');
  const videos = attachments.filter((a) => a.contentType.startsWith('video/'));
  if (!screenshots.length && !traces.length && !videos.length) return undefined;
  const section = h('section', { class: 'evidence' });
  for (const shot of screenshots) section.append(screenshotFigure(unit, shot));
  for (const trace of traces) section.append(traceLinks(unit, trace));
  for (const video of videos)
    section.append(
      h('a', { class: 'button', href: artifactUrl(unit.runId, video.path), download: '' }, `⬇ ${video.name}`),
    );
  if (videos.length === 0)
    section.append(
      h(
        'p',
        { class: 'muted small' },
        'No video: recording needs Playwright’s own ffmpeg build, off by default (see the README).',
      ),
    );
  return section;
}

function attemptEvidence(unit: Unit, attempt: number) {
  const attachments = attachmentsOf(unit, attempt);
  const screenshots = attachments.filter((a) => a.contentType.startsWith('image/'));
  const traces = attachments.filter((a) => a.name === 'trace');
  if (!screenshots.length && !traces.length) return undefined;
  return h(
    'div',
    { class: 'evidence attempt-evidence', 'data-testid': `attempt-${attempt}-evidence` },
    ...screenshots.map((shot) => screenshotFigure(unit, shot)),
    ...traces.map((trace) => traceLinks(unit, trace)),
  );
}

function attemptsList(unit: Unit) {
  const attempts = unit.attempts ?? [];
  if (attempts.length < 2 && unit.status !== 'flaky') return undefined;
  return h(
    'section',
    {},
    h('h3', {}, 'Attempts'),
    h(
      'ol',
      { class: 'attempts' },
      ...attempts.map((attempt) =>
        h(
          'li',
          {},
          h('span', { class: `badge s-${attempt.status === 'passed' ? 'passed' : 'failed'}` }, attempt.status),
          ` attempt ${attempt.attempt} · ${duration(attempt.durationMs)}`,
          attempt.error ? h('pre', { class: 'error small' }, attempt.error.message) : undefined,
          // The last attempt's files are shown above; an earlier one's (a flaky pass's failure) here.
          attempt.attempt === unit.attempt ? undefined : attemptEvidence(unit, attempt.attempt),
        ),
      ),
    ),
  );
}

function panelHead(unit: Unit, onClose: () => void) {
  return h(
    'div',
    { class: 'panel-head' },
    h(
      'div',
      {},
      h('p', { class: 'muted small' }, `${unit.project} · ${unit.module} · ${unit.file}:${unit.line}`),
      h('h2', { class: 'unit-title' }, unit.titlePath.join(' › ')),
    ),
    h(
      'button',
      { type: 'button', class: 'close', 'aria-label': 'Close', 'data-focus': 'close-panel', onclick: onClose },
      '×',
    ),
  );
}

function facts(unit: Unit) {
  return h(
    'p',
    { class: 'facts' },
    badge(unit),
    unit.status === 'flaky'
      ? h(
          'span',
          { class: 'flaky-mark', title: 'Failed, then passed on a retry' },
          ` flaky: passed on attempt ${unit.attempt}`,
        )
      : undefined,
    ` · ${duration(unit.durationMs)}`,
    unit.executor ? ` · ${unit.executor}${unit.executorRef ? ` (${unit.executorRef})` : ''}` : undefined,
  );
}

function errorParts(unit: Unit) {
  if (!unit.error) return [];
  const { message, stack } = unit.error;
  return [
    h('section', {}, h('h3', {}, 'Error'), h('pre', { class: 'error', 'data-testid': 'unit-error' }, message)),
    stack && stack !== message
      ? h('details', {}, h('summary', {}, 'Stack'), h('pre', { class: 'stack' }, stack))
      : undefined,
  ];
}

/** Shows the unit's recent runs, filled in when they arrive. */
function historyPart(unit: Unit) {
  const history = h(
    'section',
    { class: 'history' },
    h('h3', {}, 'Recent runs'),
    h('p', { class: 'muted' }, 'Loading history…'),
  );
  api.history(unit.key).then(
    ({ history: runs, stats }) => {
      const said = `${stats.runs} run${stats.runs === 1 ? '' : 's'} · flaky ${stats.flaky} (${percent(stats.flakyRate)}) · failed ${stats.failed} (${percent(stats.failureRate)}) · median ${duration(stats.medianMs)}`;
      replace(
        history,
        h('h3', {}, 'Recent runs'),
        historyChart(runs, unit.runId),
        h('p', { class: 'stats', 'data-testid': 'unit-stats' }, said),
      );
    },
    (error: Error) =>
      replace(history, h('h3', {}, 'Recent runs'), h('p', { class: 'muted' }, `No history: ${error.message}`)),
  );
  return history;
}

export function unitPanel(unit: Unit, onClose: () => void): HTMLElement {
  return h(
    'aside',
    { class: 'unit-panel', 'aria-label': 'Unit details', 'data-testid': 'unit-panel' },
    panelHead(unit, onClose),
    facts(unit),
    ...errorParts(unit),
    visualPart(unit),
    evidence(unit),
    attemptsList(unit),
    historyPart(unit),
  );
}
