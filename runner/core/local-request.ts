// Which requests uigate's local servers (the embedded DynamoDB, the local Lambda endpoint, the
// status site under Node) answer. Binding 127.0.0.1 keeps other machines out, but not a web page
// open in this machine's browser: it can send requests to any local port (a "simple" cross-origin
// POST needs no preflight), and with DNS rebinding its own domain can resolve to 127.0.0.1 so that
// even reads look same-origin to the browser. Browsers always name the page in `Origin` on such a
// POST and the domain the page used in `Host`; neither can be forged by a page.

export interface RequestHeaders {
  host?: string;
  origin?: string;
  'sec-fetch-site'?: string;
}

export interface LocalPolicy {
  /** The port the server listens on: the one to name in a refusal. */
  port: number;
  /**
   * `none`: no browser has business here (the store, the Lambda endpoint), so anything a browser marks
   * as its own (`Origin`, `Sec-Fetch-Site`) is refused. `own-page`: the status site, whose page calls
   * it from its own origin; links from elsewhere still open it (reads it answers are the browser's to
   * keep from other pages, and its writes check more: status-site/app/approval-route.ts).
   */
  browsers: 'none' | 'own-page';
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A host a rebinding page cannot stand behind: `localhost` or an IP literal. (Rebinding works by a
 * domain name resolving to 127.0.0.1; with an address in `Host` the browser connected to that address
 * by name, so no foreign page is behind it.)
 */
function trustedHostname(hostname: string): boolean {
  return hostname === 'localhost' || IPV4.test(hostname) || /^\[[0-9a-f:.]+\]$/i.test(hostname);
}

function parseHost(host: string): { hostname: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(host);
  return match ? { hostname: match[1]!.toLowerCase(), port: Number(match[2] ?? 80) } : undefined;
}

/** Why a request to a local server is refused, or undefined when it may be answered. */
export function refuseLocal(headers: RequestHeaders, policy: LocalPolicy): string | undefined {
  const host = headers.host ? parseHost(headers.host) : undefined;
  // The port is not checked: a browser always names the port it connected to, and a proxy in front
  // (a test's fault injector) may stand on another. The name is what rebinding would change.
  if (!host || !trustedHostname(host.hostname))
    return `unexpected Host ${JSON.stringify((headers.host ?? '').slice(0, 100))}: call this server as http://127.0.0.1:${policy.port}`;
  const { origin } = headers;
  const site = headers['sec-fetch-site'];
  if (policy.browsers === 'none' && (origin !== undefined || site !== undefined))
    return `requests from web pages are refused (${origin !== undefined ? `Origin ${origin.slice(0, 100)}` : `Sec-Fetch-Site ${site!.slice(0, 40)}`})`;
  if (origin !== undefined && origin.toLowerCase() !== `http://${headers.host!.toLowerCase()}`)
    return `requests from other sites are refused (Origin ${origin.slice(0, 100)})`;
  return undefined;
}

/**
 * Whether `url` is an http(s) address on this machine: localhost, 127.0.0.1 or [::1], parsed as a
 * URL (so `http://localhost.example.com` is not). What uigate treats as a local stand-in — given
 * stand-in credentials, its tables created — must be exactly this, written once.
 */
export function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname, username, password } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  if (username || password) return false;
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
