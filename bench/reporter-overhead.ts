// The uigate reporter's cost per unit in a plain `npx playwright test`: the same 300 trivial tests
// (no browser, so the reporter's share is as large as it gets) with the reporter off
// (UIGATE_REPORT=off, the baseline) and on (every unit queued at the start and written as it ends,
// to the embedded store), in alternating pairs after a warm-up.
import { fixtureProject } from '../runner/testing/fixture-project.ts';
import { machine, median, ms, s } from './lib.ts';
import { ENV } from '../runner/core/env.ts';

const TESTS = 300;
const PAIRS = 3;

export async function reporterOverheadBench(): Promise<string> {
  const spec = `import { test, expect } from '@playwright/test';\nfor (let i = 0; i < ${TESTS}; i++) test('unit ' + i, () => { expect(i).toBeGreaterThanOrEqual(0); });\n`;
  const project = await fixtureProject({ 'many.spec.ts': spec }, { config: 'workers: 1,' });
  try {
    const once = async (report: boolean) => {
      const start = performance.now();
      const result = await project.playwright([], {
        [ENV.home]: `${project.dir}/.uigate`,
        [ENV.report]: report ? 'on' : 'off',
      });
      if (result.code !== 0) throw new Error(result.stderr.slice(-500));
      return performance.now() - start;
    };
    await once(false);
    await once(true);
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      off.push(await once(false));
      on.push(await once(true));
    }
    const perUnit = (median(on) - median(off)) / TESTS;
    return [
      '## reporter-overhead — the uigate reporter per unit',
      '',
      `Command: \`npm run bench -- reporter-overhead\`: \`npx playwright test\` on ${TESTS} trivial tests (no browser), 1 worker, ${PAIRS} alternating pairs after a warm-up; the reporter writes to the embedded store. Machine: ${machine()}.`,
      '',
      '| | median wall time | runs |',
      '|---|---|---|',
      `| baseline: reporter off (UIGATE_REPORT=off) | ${s(median(off))} | ${off.map((v) => s(v)).join(', ')} |`,
      `| reporter on | ${s(median(on))} | ${on.map((v) => s(v)).join(', ')} |`,
      '',
      `Overhead: **${ms(perUnit)} per unit** (${(median(on) / median(off)).toFixed(2)} × the baseline on tests that do nothing; includes starting the embedded store once per run). On real UI tests of a second or more, that is well under 1 %.`,
    ].join('\n');
  } finally {
    await project.remove();
  }
}
