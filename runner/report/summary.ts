// A run's outcome in numbers: counts per status, per project, per executor, and the module ×
// browser matrix. Pure, so the CLI's table and --json read the same figures.
import { titleOf, type RunMeta, type StatusCounts, type UnitRecord, type UnitStatus } from '../core/model.ts';
import { DISPLAY_ORDER, STATUS_ICON, countStatuses } from '../core/statuses.ts';
import { ENV } from '../core/env.ts';

export interface RunSummary {
  runId: string;
  status: RunMeta['status'];
  commit?: string;
  branch?: string;
  durationMs?: number;
  total: number;
  counts: StatusCounts;
  projects: Record<string, StatusCounts>;
  executors: Record<string, StatusCounts>;
  modules: Record<string, Record<string, StatusCounts>>;
  /** Setup and teardown projects (dependency units), kept out of the module × browser matrix. */
  dependencies: Record<string, StatusCounts>;
  failures: { key: string; project: string; file: string; title: string; status: UnitStatus; error?: string }[];
  url?: string;
  /** Against the last full run on the branch (runner/changes.ts): unit keys. */
  changes?: {
    since: string;
    newFailures: string[];
    stillFailing: string[];
    fixed: string[];
    /** Failing with no result in the baseline: new or renamed tests, or ones it skipped. */
    firstFailures: string[];
  };
}

function groupCounts(
  units: readonly UnitRecord[],
  by: (unit: UnitRecord) => string | undefined,
): Record<string, StatusCounts> {
  const groups = new Map<string, UnitRecord[]>();
  for (const unit of units) {
    const name = by(unit) ?? 'unknown';
    groups.set(name, [...(groups.get(name) ?? []), unit]);
  }
  return Object.fromEntries(
    [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, group]) => [name, countStatuses(group)]),
  );
}

export function buildSummary(run: RunMeta, units: readonly UnitRecord[], url?: string): RunSummary {
  const tests = units.filter((unit) => unit.role !== 'dependency');
  const modules: Record<string, Record<string, StatusCounts>> = {};
  for (const module of [...new Set(tests.map((unit) => unit.module))].sort()) {
    modules[module] = groupCounts(
      tests.filter((unit) => unit.module === module),
      (unit) => unit.project,
    );
  }
  return {
    runId: run.runId,
    status: run.status,
    commit: run.commit,
    branch: run.branch,
    durationMs: run.durationMs,
    total: units.length,
    counts: countStatuses(units),
    projects: groupCounts(tests, (unit) => unit.project),
    executors: groupCounts(units, (unit) => unit.executor),
    modules,
    dependencies: groupCounts(
      units.filter((unit) => unit.role === 'dependency'),
      (unit) => unit.project,
    ),
    failures: units
      .filter((unit) => unit.status === 'failed' || unit.status === 'errored')
      .map((unit) => ({
        key: unit.key,
        project: unit.project,
        file: unit.file,
        title: titleOf(unit),
        status: unit.status,
        error: unit.error?.message.split('\n')[0],
      })),
    url,
  };
}

export function formatCounts(counts: StatusCounts): string {
  return (
    DISPLAY_ORDER.filter((status) => counts[status])
      .map((status) => `${STATUS_ICON[status]}${counts[status]}`)
      .join(' ') || '-'
  );
}

/** Formats the module × browser table printed at the end of a run. */
export function formatMatrix(summary: RunSummary): string {
  const projects = Object.keys(summary.projects);
  const rows = Object.entries(summary.modules).map(([module, byProject]) => [
    module,
    ...projects.map((project) => (byProject[project] ? formatCounts(byProject[project]) : '')),
  ]);
  const header = ['module', ...projects];
  const totals = ['total', ...projects.map((project) => formatCounts(summary.projects[project] ?? {}))];
  const table = [header, ...rows, totals];
  const widths = header.map((_, column) => Math.max(...table.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]) =>
    '  ' + row.map((cell, column) => cell + ' '.repeat(widths[column]! - [...cell].length)).join('   ');
  const rule = '  ' + widths.map((width) => '─'.repeat(width)).join('   ');
  const dependencies = Object.entries(summary.dependencies).map(
    ([project, counts]) => `${project} ${formatCounts(counts)}`,
  );
  const setup = dependencies.length
    ? [`  setup and teardown (run beside their dependents): ${dependencies.join(', ')}`]
    : [];
  return [
    line(header),
    rule,
    ...rows.map(line),
    rule,
    line(totals),
    ...setup,
    '  ✓ passed  ~ flaky (passed on retry)  ✘ failed  ! errored (not run: infrastructure)  ↷ skipped  ∅ cancelled',
  ].join('\n');
}

/**
 * The run as shell variables (KEY='value' lines) for a CI step to source and export — CodeBuild's
 * exported-variables carry them into the pipeline's approval message.
 */
/** CodePipeline takes at most 500 characters of CustomData on a manual approval (API reference, ActionConfiguration; CreatePipeline refuses more). */
export const APPROVAL_INFO_LIMIT = 500;

/**
 * Writes what the manual approval says, whole: the run, its counts, the commit, the branch and the
 * pipeline execution. A long branch name is what can push it past the limit, so the branch is what
 * is shortened (with an ellipsis), never the run id or the commit it is bound to.
 */
export function approvalInfo(summary: RunSummary, executionId?: string): string {
  const text = (branch: string) =>
    `uigate run ${summary.runId}: ${countsLine(summary)}. Commit ${summary.commit ?? 'unknown'} on ${branch}` +
    `${executionId ? `, execution ${executionId}` : ''}. Approve on the run page or with \`uigate approve\` (the approval is bound to this commit and artifact).`;
  const branch = summary.branch ?? 'unknown';
  const room = APPROVAL_INFO_LIMIT - text('').length;
  if (branch.length <= room) return text(branch);
  return text(`${branch.slice(0, Math.max(0, room - 1))}…`).slice(0, APPROVAL_INFO_LIMIT);
}

const countsLine = (summary: RunSummary) =>
  `${summary.total} units: ${Object.entries(summary.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ')}`;

export function formatExports(summary: RunSummary, extra: Record<string, string | undefined> = {}): string {
  const values: Record<string, string | undefined> = {
    [ENV.runId]: summary.runId,
    [ENV.runStatus]: summary.status,
    [ENV.summary]: countsLine(summary),
    [ENV.approvalInfo]: approvalInfo(summary, extra[ENV.pipelineExecutionId]),
    [ENV.commit]: summary.commit,
    [ENV.branch]: summary.branch,
    [ENV.runUrl]: summary.url,
    ...extra,
  };
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return (
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${quote(value!)}`)
      .join('\n') + '\n'
  );
}
