// A sign-in link from `uigate open` lands on the page as `/#signin=<token>&next=<path>`. The token
// is in the fragment so that it never reaches a server log; the page takes it out of the address
// bar first, trades it for the session cookie (POST /api/auth), and goes on to `next`.
import { safeNext } from '../shared/safe-next.ts';
import { jsonBody } from './json-body.ts';

/** Signs in from the link in the URL; answers what went wrong, for the page to say, or undefined (no link, or it worked). */
export async function signInFromLink(): Promise<string | undefined> {
  if (!location.hash.startsWith('#signin=')) return undefined;
  const params = new URLSearchParams(location.hash.slice(1));
  const next = safeNext(params.get('next'));
  // Out of the address bar and the history before anything else can read or share it.
  history.replaceState(null, '', next);
  const { body, sha256 } = await jsonBody({ token: params.get('signin') });
  const response = await fetch('/api/auth', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-uigate-request': 'session',
      'x-amz-content-sha256': sha256,
    },
    body,
    credentials: 'same-origin',
  }).catch((error: Error) => error);
  if (response instanceof Error) return `Could not sign in: ${response.message}`;
  if (response.ok) return undefined;
  const answer = (await response.json().catch(() => ({}))) as { error?: string };
  return `Could not sign in: ${answer.error ?? `${response.status} ${response.statusText}`}`;
}
