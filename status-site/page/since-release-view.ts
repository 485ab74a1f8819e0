// "Since the last production release", beside the approval: the live release compared with, each
// changed component with its newest change and the newest run that contains it and ran its tests
// (passed, failed, never run), and the commits between, each with the components it touched.
// Text only: commit subjects are what people typed.
import type { SinceRelease } from '../../runner/core/model.ts';
import { h } from './dom.ts';
import { shortCommit } from './format.ts';

const STATE_CLASS = { passed: 'rule-ok', failed: 'rule-bad', 'never run': 'rule-bad' } as const;
const runLink = (runId: string, text = runId) => h('a', { href: `/runs/${encodeURIComponent(runId)}` }, text);

export function sinceReleaseView(since: SinceRelease): HTMLElement {
  const from = since.release
    ? [
        'Live: release ',
        runLink(since.release.runId, since.release.releaseId),
        ` (commit ${shortCommit(since.release.commit)}) on ${since.release.target} · ${since.commits.length} commit${since.commits.length === 1 ? '' : 's'} since`,
      ]
    : ['Nothing released to production yet: only runs of this commit count.'];
  return h(
    'div',
    { class: 'since-release', 'data-testid': 'since-release' },
    h('h3', {}, 'Since the last production release'),
    since.unknown
      ? h('p', { class: 'rule-bad' }, `Cannot tell: ${since.unknown}.`)
      : h('p', { class: 'muted' }, ...from),
    since.components.length
      ? componentsTable(since.components)
      : since.unknown
        ? undefined
        : h('p', { class: 'muted' }, 'No component changed.'),
    since.commits.length ? commitList(since.commits) : undefined,
  );
}

function componentsTable(components: SinceRelease['components']) {
  return h(
    'table',
    { class: 'since-components' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Component'), h('th', {}, 'Newest change'), h('th', {}, 'Tested by'))),
    h(
      'tbody',
      {},
      ...components.map((component) =>
        h(
          'tr',
          { 'data-component': component.name },
          h('td', {}, component.name),
          h('td', {}, shortCommit(component.lastChange)),
          h(
            'td',
            { class: STATE_CLASS[component.state] },
            `${component.state === 'passed' ? '✓' : '✘'} ${component.state}`,
            component.runId ? ' · run ' : undefined,
            component.runId ? runLink(component.runId) : undefined,
          ),
        ),
      ),
    ),
  );
}

function commitList(commits: SinceRelease['commits']) {
  return h(
    'details',
    {},
    h('summary', {}, `${commits.length} commit${commits.length === 1 ? '' : 's'}`),
    h(
      'ul',
      { class: 'since-commits' },
      ...commits.map((commit) =>
        h(
          'li',
          {},
          h('code', {}, shortCommit(commit.commit)),
          ` ${commit.subject}`,
          h('span', { class: 'muted' }, ` — ${commit.components.join(', ') || 'no component'}`),
        ),
      ),
    ),
  );
}
