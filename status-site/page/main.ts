// The status page: three views (runs, a run, releases) chosen by the URL, with links handled in the page.
import { h, replace } from './dom.ts';
import { RunsView } from './runs-view.ts';
import { RunView } from './run-view.ts';
import { ReleasesView } from './releases-view.ts';
import { signInFromLink } from './sign-in.ts';

interface View {
  start(): Promise<void>;
  stop(): void;
}

const root = document.getElementById('app')!;
const crumbs = document.getElementById('crumbs')!;
let current: View | undefined;

function setCrumbs(...parts: (string | Node)[]) {
  // Each crumb an element of its own, so a long run id can end in an ellipsis on a phone.
  const crumb = (part: string | Node) => (typeof part === 'string' ? h('span', { class: 'crumb' }, part) : part);
  replace(crumbs, ...parts.flatMap((part, i) => (i ? [h('span', { class: 'sep' }, '/'), crumb(part)] : [crumb(part)])));
}

function route() {
  current?.stop();
  const match = /^\/runs\/([^/]+)\/?$/.exec(location.pathname);
  const view: View = match
    ? new RunView(root, decodeURIComponent(match[1]!), setCrumbs)
    : /^\/releases\/?$/.test(location.pathname)
      ? new ReleasesView(root, setCrumbs)
      : new RunsView(root, setCrumbs);
  // The views' own links: the one shown is marked, a run's page is neither.
  const here = match ? '' : view instanceof ReleasesView ? '/releases' : '/';
  for (const link of document.querySelectorAll('nav.views a'))
    link.toggleAttribute('aria-current', link.getAttribute('href') === here);
  current = view;
  void view.start();
}

document.addEventListener('click', (event) => {
  // Attributes, not properties: an SVG <a> (the runs chart's bars) has no string href or target.
  const link = (event.target as Element).closest?.('a');
  const href = link?.getAttribute('href');
  if (
    !link ||
    !href ||
    link.getAttribute('target') ||
    link.hasAttribute('download') ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey
  )
    return;
  const url = new URL(href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/artifacts/') || url.pathname.startsWith('/api/'))
    return;
  event.preventDefault();
  history.pushState(null, '', url);
  route();
});
window.addEventListener('popstate', route);
void signInFromLink().then((failure) =>
  failure ? replace(root, h('p', { class: 'error-box', 'data-testid': 'sign-in-error' }, failure)) : route(),
);
