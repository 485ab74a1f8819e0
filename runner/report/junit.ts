// A run as JUnit XML, for CI systems that show test reports (CodeBuild report groups, say):
// one <testsuite> per project, one <testcase> per unit. Flaky passes are passes with a note.
import type { RunMeta, UnitRecord } from '../core/model.ts';

const escape = (text: string) =>
  text
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters, so they go
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function toJUnit(run: RunMeta, units: readonly UnitRecord[]): string {
  const projects = [...new Set(units.map((unit) => unit.project))].sort();
  const suites = projects.map((project) => {
    const mine = units.filter((unit) => unit.project === project);
    const failures = mine.filter((unit) => unit.status === 'failed').length;
    const errors = mine.filter((unit) => unit.status === 'errored' || unit.status === 'cancelled').length;
    const skipped = mine.filter((unit) => unit.status === 'skipped').length;
    const time = mine.reduce((sum, unit) => sum + (unit.durationMs ?? 0), 0) / 1000;
    const cases = mine.map((unit) => {
      const name = escape(unit.titlePath.join(' › '));
      const head = `    <testcase name="${name}" classname="${escape(`${project}.${unit.module}`)}" file="${escape(unit.file)}" time="${((unit.durationMs ?? 0) / 1000).toFixed(3)}">`;
      const message = escape(unit.error?.message.split('\n')[0] ?? unit.status);
      const body =
        unit.status === 'failed'
          ? `\n      <failure message="${message}">${escape(unit.error?.stack ?? unit.error?.message ?? '')}</failure>\n    `
          : unit.status === 'errored' || unit.status === 'cancelled'
            ? `\n      <error message="${message}" type="${unit.status}">${escape(unit.error?.message ?? '')}</error>\n    `
            : unit.status === 'skipped'
              ? '\n      <skipped/>\n    '
              : unit.status === 'flaky'
                ? `\n      <system-out>flaky: passed on attempt ${unit.attempt}</system-out>\n    `
                : '';
      return `${head}${body}</testcase>`;
    });
    return `  <testsuite name="${escape(project)}" tests="${mine.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="uigate ${escape(run.runId)}" tests="${units.length}">\n${suites.join('\n')}\n</testsuites>\n`;
}
