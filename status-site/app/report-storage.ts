// Playwright's HTML report keeps its settings in localStorage, and reads it as it starts. Served
// sandboxed (policies.ts, REPORT_POLICY: an opaque origin, so the report's attachments can never
// act as this site), the document has no storage: reading it throws a SecurityError and the report
// renders nothing. Before the report's own scripts, this puts an in-memory Storage where the
// browser refuses one — settings last as long as the tab, and the sandbox stays whole.

/** Runs first in the report's document; does nothing where storage works. */
const SHIM = `(function () {
  function memory() {
    var items = new Map();
    return {
      get length() { return items.size; },
      key: function (i) { return Array.from(items.keys())[i] ?? null; },
      getItem: function (k) { return items.has(String(k)) ? items.get(String(k)) : null; },
      setItem: function (k, v) { items.set(String(k), String(v)); },
      removeItem: function (k) { items.delete(String(k)); },
      clear: function () { items.clear(); }
    };
  }
  ['localStorage', 'sessionStorage'].forEach(function (name) {
    try { window[name].getItem('uigate'); } catch (refused) {
      Object.defineProperty(window, name, { value: memory(), configurable: true });
    }
  });
})();`;

/** The report's page with the shim as the first thing in its head. */
export function withMemoryStorage(html: string): string {
  const tag = `<script>${SHIM}</script>`;
  const head = /<head[^>]*>/i.exec(html);
  return head
    ? `${html.slice(0, head.index + head[0].length)}${tag}${html.slice(head.index + head[0].length)}`
    : `${tag}${html}`;
}
