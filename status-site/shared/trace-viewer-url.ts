// Where the status site serves Playwright's trace viewer (trace-viewer.ts), for the page and the server alike.

/** Gives the address that opens `traceUrl` (an artifact's absolute URL) in the viewer. */
export const traceViewerUrl = (traceUrl: string) => `/trace/index.html?trace=${encodeURIComponent(traceUrl)}`;
