// Where to go after signing in: a path on this site only, never another site (`//evil`,
// `https://evil`). No imports: the server and the page both use it.
export function safeNext(next: string | undefined | null): string {
  return next && /^\/(?![/\\])[A-Za-z0-9/_.?=&%-]*$/.test(next) ? next : '/';
}
