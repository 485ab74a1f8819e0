// `uigate run` against plain `npx playwright test` on a suite generated for the bench: many
// files, durations from a long-tailed distribution, firefox slower than chromium, some serial
// groups, and a long file last in Playwright's file order. The same workers for both. Measured:
// uigate's first run (no history: a fresh UIGATE_HOME each time) and its runs with history
// (recorded durations: longest first), each against plain Playwright in the same session, and
// what a pulled batch costs to start on this machine (a Playwright process, its worker, its browser).
// Run: npm run bench -- skewed-suite   (BENCH_REPEAT=5 for more)
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { playwrightCli } from '../runner/playwright/cli-path.ts';
import { fixtureProject, runNode, type FixtureProject } from '../runner/testing/fixture-project.ts';
import { ENV } from '../runner/core/env.ts';
import { listTests } from '../runner/playwright/list.ts';
import { runPlaywrightBatch } from '../runner/playwright/batch.ts';
import { openEmbeddedStore } from '../runner/store/open-store.ts';
import { newRunId } from '../runner/core/model.ts';
import { compiledUigate, machine, median, s } from './lib.ts';

const WORKERS = '2';
const FILES = 14;
/**
 * What `npm init playwright` writes: a trace only on a retry. Recording one for every test
 * (retain-on-failure) costs each test a second or two of CPU on this 2-core machine, which drowns
 * the drawn durations and makes the bench measure CPU contention rather than scheduling.
 */
const USE = "{ trace: 'on-first-retry' }";

/** Seconds per test, per file: Pareto-like bases, a few slow files, one long checkout file last. */
export function suiteSpecs(): { specs: Record<string, string>; seconds: number } {
  let state = 11;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const specs: Record<string, string> = {};
  let seconds = 0;
  for (let file = 0; file < FILES; file++) {
    const last = file === FILES - 1;
    const tests = last ? 8 : 2 + Math.floor(random() * 3);
    const base = last ? 3.2 : Math.min(4, 0.25 / Math.pow(1 - random(), 1 / 1.3));
    const serial = file % 9 === 4;
    const cases = Array.from({ length: tests }, (_, i) => {
      const ms = Math.round(base * (0.6 + random() * 0.8) * 600);
      seconds += (ms / 1000) * (1 + 1.8);
      return `test('case ${i}', async ({ page }) => {
  await page.setContent('<p>${file}.${i}</p>');
  await page.waitForTimeout(${ms} * (test.info().project.name === 'firefox' ? 1.8 : 1));
});`;
    });
    const name = last ? 'zz-checkout' : `area-${String(file).padStart(2, '0')}`;
    specs[`${name}.spec.ts`] = `import { test } from '@playwright/test';
${serial ? "test.describe.configure({ mode: 'serial' });\n" : ''}${cases.join('\n')}
`;
  }
  return { specs, seconds };
}

async function timed(run: () => Promise<{ code: number | null; stdout: string; stderr: string }>) {
  const start = performance.now();
  const result = await run();
  if (result.code !== 0)
    throw new Error(`bench command failed (${result.code}): ${(result.stdout + result.stderr).slice(-800)}`);
  return { ms: performance.now() - start, stdout: result.stdout };
}

/**
 * A run's tests: their span (first test start to last test end, the part of a run the tests
 * themselves take) and their busy time (the sum of their durations: how fast they ran this time).
 */
interface TestTimes {
  span: number;
  busy: number;
}

const timesOf = (tests: readonly { start: number; end: number }[]): TestTimes => ({
  span: Math.max(...tests.map((test) => test.end)) - Math.min(...tests.map((test) => test.start)),
  busy: tests.reduce((sum, test) => sum + test.end - test.start, 0),
});

/** The tests' times in a plain run, from Playwright's JSON report. */
async function plainTimes(file: string): Promise<TestTimes> {
  interface Suite {
    suites?: Suite[];
    specs?: { tests: { results: { startTime: string; duration: number }[] }[] }[];
  }
  const tests: { start: number; end: number }[] = [];
  const walk = (suite: Suite) => {
    suite.suites?.forEach(walk);
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests)
        for (const result of test.results) {
          const start = Date.parse(result.startTime);
          tests.push({ start, end: start + result.duration });
        }
  };
  (JSON.parse(await readFile(file, 'utf8')) as Suite).suites?.forEach(walk);
  return timesOf(tests);
}

/** The tests' times in uigate's latest run in this home, from what its store recorded. */
async function uigateTimes(home: string): Promise<TestTimes> {
  const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
  try {
    const [latest] = (await store.listRuns({ limit: 1 })).items;
    const units = await store.getUnits(latest!.runId);
    return timesOf(units.map((unit) => ({ start: Date.parse(unit.startedAt!), end: Date.parse(unit.finishedAt!) })));
  } finally {
    await store.close();
  }
}

/** A one-test Playwright batch as the local executor starts it: its time beyond the test's own. */
async function localStart(project: FixtureProject): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'uigate-bench-start-'));
  const { store, endpoint, key } = await openEmbeddedStore(join(dir, 'dynamodb'));
  const { units } = await listTests({ cwd: project.dir, playwrightConfig: join(project.dir, 'playwright.config.ts') });
  const unit = units.find((u) => u.project === 'chromium')!;
  const starts: number[] = [];
  for (let i = 0; i < 6; i++) {
    const runId = newRunId();
    await store.queueUnits(runId, [unit]);
    const start = performance.now();
    await runPlaywrightBatch({
      cwd: project.dir,
      playwrightConfig: join(project.dir, 'playwright.config.ts'),
      units: [unit],
      workDir: join(dir, `b${i}`),
      context: {
        runId,
        executor: 'local',
        executorRef: `b${i}`,
        dispatchTry: 1,
        store: { endpoint, key, table: 'uigate', region: 'us-east-1' },
        artifactsDir: join(dir, 'artifacts'),
      },
      signal: new AbortController().signal,
      onUnit: () => undefined,
    });
    const wall = performance.now() - start;
    const [recorded] = await store.getUnits(runId);
    if (i > 0) starts.push(wall - (recorded?.durationMs ?? 0));
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return median(starts);
}

/**
 * What a run costs beyond Playwright's, whatever the suite: `uigate run` against plain Playwright
 * on a one-test suite (listing, the store, the reporter's writes, the HTML report), medians.
 */
async function fixedOverhead(bin: string): Promise<{ plain: number; uigate: number }> {
  const tiny = await fixtureProject({
    'one.spec.ts':
      "import { test } from '@playwright/test';\ntest('one', async ({ page }) => { await page.setContent('<p>1</p>'); });\n",
  });
  const home = await mkdtemp(join(tmpdir(), 'uigate-bench-tiny-'));
  const times = { plain: [] as number[], uigate: [] as number[] };
  try {
    for (let i = 0; i < 7; i++) {
      const plain = await timed(() =>
        runNode([playwrightCli(tiny.dir), 'test', '--reporter=list'], tiny.dir, { [ENV.report]: 'off' }),
      );
      const uigate = await timed(() => runNode([bin, 'run', '--no-serve'], tiny.dir, { [ENV.home]: home }));
      if (i === 0) continue;
      times.plain.push(plain.ms);
      times.uigate.push(uigate.ms);
    }
    return { plain: median(times.plain), uigate: median(times.uigate) };
  } finally {
    await tiny.remove();
    await rm(home, { recursive: true, force: true });
  }
}

type Kind = 'plain' | 'first' | 'history';

interface Measured {
  repeat: number;
  specs: Record<string, string>;
  seconds: number;
  times: Record<Kind, number[]>;
  spans: Record<Kind, number[]>;
  busy: Record<Kind, number[]>;
  beyond: Record<Kind, number[]>;
  ratios: Record<'first' | 'history' | 'firstSpan' | 'historySpan' | 'historyPacked' | 'historyAtPlainSpeed', number[]>;
  plan: string;
  start: number;
  fixed: { plain: number; uigate: number };
}

function formatSkewed(m: Measured): string {
  const { times, ratios, fixed } = m;
  const base = median(times.plain);
  const all = (values: number[]) => values.map((value) => value.toFixed(3)).join(', ');
  const serial = Object.values(m.specs).filter((spec) => spec.includes("mode: 'serial'")).length;
  const added = median(m.beyond.first) - median(m.beyond.plain);
  const plainSpans = [...m.spans.plain].sort((a, b) => a - b);
  return `## skewed-suite — \`uigate run\` against plain \`npx playwright test\` on a long-tailed suite

Command: \`npm run bench -- skewed-suite\` (BENCH_REPEAT=${m.repeat}) · machine: ${machine()} · ${new Date().toISOString().slice(0, 10)}

A suite generated for the bench: ${FILES} files, chromium and firefox (firefox 1.8× slower), test durations from a long-tailed distribution, \`use: ${USE}\` as \`npm init playwright\` writes it, ${serial} serial files, the longest file last in file order; ${s(m.seconds * 1000)} of test time in all. ${WORKERS} workers for both, rounds alternating, after warm-ups. Baseline: \`playwright test --workers ${WORKERS} --reporter=list,json\` (uigate's reporter off; Playwright's JSON report gives the tests' times), measured in the same rounds.

| | runs | median | ÷ plain Playwright, median of rounds | each round | target |
|---|---|---|---|---|---|
| plain Playwright | ${times.plain.length} | ${s(base)} | 1.000 | | |
| uigate, first run (no history: a fresh home each run) | ${times.first.length} | ${s(median(times.first))} | ${median(ratios.first).toFixed(3)} | ${all(ratios.first)} | ≤ 1.03 |
| uigate, with history | ${times.history.length} | ${s(median(times.history))} | ${median(ratios.history).toFixed(3)} | ${all(ratios.history)} | ≤ 0.95 |

A round runs plain Playwright and both uigate runs back to back (in alternating order); each ratio is a round's uigate time over the same round's plain time, so a machine that is slower for a while slows both sides of it.

Where the time goes — each run split into its tests' span (first test start to last test end, from Playwright's JSON report for plain runs and from the store for uigate's) and the time beyond it (starting, listing, the end):

| | time beyond the tests, median | tests' span ÷ plain's, median of rounds | each round |
|---|---|---|---|
| plain Playwright | ${s(median(m.beyond.plain))} | 1.000 | |
| uigate, first run | ${s(median(m.beyond.first))} | ${median(ratios.firstSpan).toFixed(3)} | ${all(ratios.firstSpan)} |
| uigate, with history | ${s(median(m.beyond.history))} | ${median(ratios.historySpan).toFixed(3)} | ${all(ratios.historySpan)} |

The tests themselves run faster or slower from run to run: their busy time (the sum of their durations) ranged ${s(Math.min(...m.busy.plain))}–${s(Math.max(...m.busy.plain))} in plain runs alone. How well a run packs its tests is its span per second of their busy time; **with history, that was ${median(ratios.historyPacked).toFixed(3)} of plain's (${all(ratios.historyPacked)}), so with the tests' speed taken out — plain's span packed as uigate packed it, plus uigate's time beyond the tests — the with-history ratio is ${median(ratios.historyAtPlainSpeed).toFixed(3)}** (${all(ratios.historyAtPlainSpeed)}; target ≤ 0.95).

A first run schedules as plain Playwright does — one Playwright process, the same workers, Playwright's order — so its tests' span differs from plain's only by the tests' own spread from run to run (plain's spans alone ranged ${s(plainSpans[0]!)}–${s(plainSpans.at(-1)!)}). What uigate adds is the time beyond the tests: **${s(added)}, ${((100 * added) / base).toFixed(1)} % of plain's median run — a first-run ratio of ${((base + added) / base).toFixed(3)} with the tests' spread taken out** (target ≤ 1.03).

With history, the plan was: \`${m.plan.trim()}\`. A first run has no durations, so uigate gives the suite to one Playwright process with ${WORKERS} workers, whose workers take Playwright's groups as they free up; with history it packs the groups longest first into ${WORKERS} processes side by side when that promises to beat Playwright's own order, which runs the long file last (runner/run/run-units.ts). The history runs start after two warm-up runs.

**Fixed cost of a run: ${s(fixed.uigate - fixed.plain)}** — \`uigate run\` ${s(fixed.uigate)} against plain Playwright ${s(fixed.plain)} on a one-test suite (medians of 6 after a warm-up): listing the suite, the embedded store, the reporter's writes and Playwright's HTML report. uigate runs compiled, as installed from the package.

**Overhead per pulled batch, local: ${s(m.start)}** — a one-test batch as the local executor runs it, beyond the test's own time: Playwright's start, its worker, the browser's launch, the reporter's writes (\`START_MS.local\` in runner/executors/from-config.ts). Lambda's is in the Lambda section.
`;
}

export async function skewedSuiteBench(): Promise<string> {
  const repeat = Number(process.env.BENCH_REPEAT ?? 2);
  const { specs, seconds } = suiteSpecs();
  const project = await fixtureProject(specs, { projects: ['chromium', 'firefox'], use: USE });
  const history = await mkdtemp(join(tmpdir(), 'uigate-bench-history-'));
  const bin = await compiledUigate(project.dir);
  const report = join(history, 'plain-report.json');
  const plain = async () => {
    const run = await timed(() =>
      runNode([playwrightCli(project.dir), 'test', '--workers', WORKERS, '--reporter=list,json'], project.dir, {
        [ENV.report]: 'off',
        PLAYWRIGHT_JSON_OUTPUT_NAME: report,
      }),
    );
    return { ...run, ...(await plainTimes(report)) };
  };
  const uigate = async (home: string) => {
    const run = await timed(() =>
      runNode([bin, 'run', '--workers', WORKERS, '--no-serve'], project.dir, { [ENV.home]: home }),
    );
    return { ...run, ...(await uigateTimes(home)) };
  };
  const fresh = async () => {
    const home = await mkdtemp(join(tmpdir(), 'uigate-bench-fresh-'));
    try {
      return await uigate(home);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };
  const times: Record<Kind, number[]> = { plain: [], first: [], history: [] };
  /** Each run's time beyond its tests: wall clock less the span from first test start to last test end. */
  const beyond: Record<Kind, number[]> = { plain: [], first: [], history: [] };
  const spans: Record<Kind, number[]> = { plain: [], first: [], history: [] };
  const busy: Record<Kind, number[]> = { plain: [], first: [], history: [] };
  const keep = (kind: Kind, run: { ms: number } & TestTimes) => {
    times[kind].push(run.ms);
    spans[kind].push(run.span);
    busy[kind].push(run.busy);
    beyond[kind].push(run.ms - run.span);
  };
  // Each round's own ratios: the three runs of a round share the machine's state of the moment.
  const ratios: Measured['ratios'] = {
    first: [],
    history: [],
    firstSpan: [],
    historySpan: [],
    historyPacked: [],
    historyAtPlainSpeed: [],
  };
  let plan = '';
  try {
    // Warm-ups: disk caches for both, and the history the "with history" runs start from.
    await plain();
    await uigate(history);
    await uigate(history);
    for (let i = 0; i < repeat; i++) {
      const runs = [
        async () => keep('plain', await plain()),
        async () => keep('first', await fresh()),
        async () => {
          const run = await uigate(history);
          keep('history', run);
          plan = /\d+ units .* in \d+ modules, .*/.exec(run.stdout)?.[0] ?? plan;
        },
      ];
      for (const run of i % 2 ? runs.reverse() : runs) await run();
      ratios.first.push(times.first.at(-1)! / times.plain.at(-1)!);
      ratios.history.push(times.history.at(-1)! / times.plain.at(-1)!);
      ratios.firstSpan.push(spans.first.at(-1)! / spans.plain.at(-1)!);
      ratios.historySpan.push(spans.history.at(-1)! / spans.plain.at(-1)!);
      // Span per second of the tests' own time: how well the run packed them, however fast they ran.
      const packed = spans.history.at(-1)! / busy.history.at(-1)! / (spans.plain.at(-1)! / busy.plain.at(-1)!);
      ratios.historyPacked.push(packed);
      const atPlainSpeed = spans.plain.at(-1)! * packed + beyond.history.at(-1)!;
      ratios.historyAtPlainSpeed.push(atPlainSpeed / times.plain.at(-1)!);
      console.error(
        `  round ${i + 1}/${repeat}: plain ${s(times.plain.at(-1)!)}, first ${s(times.first.at(-1)!)}, with history ${s(times.history.at(-1)!)}`,
      );
    }
    const start = await localStart(project);
    const fixed = await fixedOverhead(bin);
    return formatSkewed({ repeat, specs, seconds, times, spans, busy, beyond, ratios, plan, start, fixed });
  } finally {
    await project.remove();
    await rm(history, { recursive: true, force: true });
  }
}
