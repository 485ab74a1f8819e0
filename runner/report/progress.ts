// What a person watches while a run goes: counts per browser on one live line (on a terminal),
// each failure and flaky pass as it happens, and notes from the dispatcher (re-queues, errors).
import type { Writable } from 'node:stream';
import { titleOf, type StatusCounts, type UnitRecord, type UnitRef } from '../core/model.ts';
import { formatCounts } from './summary.ts';
import { STATUS_ICON, isFinal } from '../core/statuses.ts';

export interface ProgressOptions {
  /** Redraw one status line in place; otherwise print one line per finished unit. */
  live: boolean;
  color: boolean;
  now?: () => number;
}

/**
 * Colours as Node and Playwright decide them: FORCE_COLOR (not 0 or false) turns them on even off a
 * terminal, and wins over NO_COLOR, which (present and not empty, no-color.org) turns them off;
 * otherwise a terminal gets them.
 */
export function wantsColor(env: NodeJS.ProcessEnv, tty: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !/^(0|false)$/i.test(force);
  if (env.NO_COLOR) return false;
  return tty;
}

const paint = (on: boolean, code: number, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export class Progress {
  private readonly totals = new Map<string, number>();
  private readonly counts = new Map<string, StatusCounts>();
  private readonly finished = new Map<string, UnitRecord>();
  private readonly started: number;
  private lineShown = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Writable,
    units: readonly UnitRef[],
    private readonly options: ProgressOptions,
  ) {
    for (const unit of units) this.totals.set(unit.project, (this.totals.get(unit.project) ?? 0) + 1);
    this.started = this.now();
    if (options.live) {
      this.timer = setInterval(() => this.draw(), 1_000);
      this.timer.unref();
    }
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  unit(record: UnitRecord) {
    if (!isFinal(record.status) || this.finished.has(record.key)) return;
    this.finished.set(record.key, record);
    const counts = this.counts.get(record.project) ?? {};
    counts[record.status] = (counts[record.status] ?? 0) + 1;
    this.counts.set(record.project, counts);
    const noteworthy = record.status === 'failed' || record.status === 'flaky' || record.status === 'errored';
    if (noteworthy || !this.options.live) this.print(this.describe(record));
    else this.draw();
  }

  private describe(record: UnitRecord): string {
    const color = { passed: 32, flaky: 33, failed: 31, errored: 35 }[record.status as string] ?? 90;
    const symbol = paint(this.options.color, color, STATUS_ICON[record.status] ?? '?');
    const time =
      record.durationMs !== undefined ? paint(this.options.color, 90, ` (${seconds(record.durationMs)})`) : '';
    const label =
      record.status === 'flaky' ? paint(this.options.color, 33, ` flaky: passed on attempt ${record.attempt}`) : '';
    let text = `  ${symbol} [${record.project}] ${record.file} › ${titleOf(record)}${time}${label}`;
    if ((record.status === 'failed' || record.status === 'errored') && record.error) {
      const lines = record.error.message
        .split('\n')
        .filter((line) => line.trim())
        .slice(0, 4);
      text += '\n' + lines.map((line) => paint(this.options.color, 31, `      ${line}`)).join('\n');
    }
    return text;
  }

  /** Prints a line from the dispatcher, kept above the live status line. */
  note(text: string) {
    this.print(`  ${text}`);
  }

  private print(text: string) {
    this.clear();
    this.out.write(text + '\n');
    this.draw();
  }

  statusLine(): string {
    const done = this.finished.size;
    const total = [...this.totals.values()].reduce((sum, n) => sum + n, 0);
    const projects = [...this.totals].map(([project, count]) => {
      const counts = this.counts.get(project) ?? {};
      const finished = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
      return `${project} ${finished}/${count} ${formatCounts(counts)}`;
    });
    return `  [${done}/${total}] ${projects.join('  ·  ')}  ${seconds(this.now() - this.started)}`;
  }

  private draw() {
    if (!this.options.live) return;
    this.clear();
    this.out.write(paint(this.options.color, 1, this.statusLine()));
    this.lineShown = true;
  }

  private clear() {
    if (this.lineShown) this.out.write('\r\u001b[2K');
    this.lineShown = false;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.clear();
    if (!this.options.live) return;
  }
}
