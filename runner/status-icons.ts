// One symbol per unit status, the same in the terminal and on the status page.
// (Types only from model.ts: the page's bundle must not pull in Node modules.)
import type { UnitStatus } from './model.ts';

export const STATUS_ICON: Record<UnitStatus, string> = {
  queued: '·',
  running: '◌',
  retrying: '↻',
  passed: '✓',
  flaky: '~',
  failed: '✘',
  skipped: '↷',
  errored: '!',
  cancelled: '∅',
};
