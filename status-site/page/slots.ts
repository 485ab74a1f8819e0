// Puts a view's parts in place, rebuilding only the parts whose data changed. A live run's page
// re-renders every 1.5 s; rebuilding all of it took the focus out of the filter someone was typing
// in and off the matrix cell a keyboard user was on, closed an opened stack trace, dropped a text
// selection in an error, scrolled a wide matrix back to its start and fetched the open unit's
// history again.

export interface Part {
  /** Names the part among its siblings. */
  key: string;
  /** The data the part is built from, as a string: equal means the part stays as it is. */
  same: string;
  build: () => Node | undefined;
}

export class Slots {
  private parts = new Map<string, { same: string; node: Node | undefined }>();

  constructor(private readonly parent: Element) {}

  update(parts: Part[]) {
    const restore = captureView(this.parent);
    const next = new Map<string, { same: string; node: Node | undefined }>();
    for (const part of parts) {
      const old = this.parts.get(part.key);
      next.set(part.key, old && old.same === part.same ? old : { same: part.same, node: part.build() });
    }
    this.parts = next;
    place(
      this.parent,
      [...next.values()].flatMap(({ node }) => (node ? [node] : [])),
    );
    restore();
  }
}

/**
 * Makes `parent`'s children exactly `nodes`, in order, moving as little as it can: a node taken
 * out of the document loses its scroll position and any text selected in it.
 */
function place(parent: Element, nodes: Node[]) {
  const wanted = new Set(nodes);
  for (const child of [...parent.childNodes]) if (!wanted.has(child)) child.remove();
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
}

/**
 * Remembers where the reader was inside `root`: the focused element (named by its data-focus attribute),
 * the caret in a text field, and how far each data-scroll element was scrolled. The returned
 * function puts the same back into whatever elements carry those names after a rebuild.
 */
export function captureView(root: Element): () => void {
  const active = document.activeElement;
  const focus = active && root.contains(active) ? active.getAttribute('data-focus') : null;
  // A checkbox has no caret (selectionStart is null, and setting one throws).
  const caret =
    active instanceof HTMLInputElement && active.selectionStart !== null
      ? ([active.selectionStart, active.selectionEnd] as const)
      : undefined;
  // Only what was scrolled: reading a scroll offset after the rebuild makes the browser lay the page
  // out there and then, which on a 5,000-unit run costs more than the rebuild.
  const scrolled = [...root.querySelectorAll<HTMLElement>('[data-scroll]')]
    .map((el) => [el.dataset.scroll!, el.scrollLeft, el.scrollTop] as const)
    .filter(([, left, top]) => left !== 0 || top !== 0);
  return () => {
    for (const [name, left, top] of scrolled)
      root.querySelector<HTMLElement>(`[data-scroll="${CSS.escape(name)}"]`)?.scrollTo(left, top);
    if (focus === null || (document.activeElement && root.contains(document.activeElement))) return;
    const again = root.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focus)}"]`);
    again?.focus({ preventScroll: true });
    if (again instanceof HTMLInputElement && caret) again.setSelectionRange(caret[0], caret[1]);
  };
}
