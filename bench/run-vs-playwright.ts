// `uigate run` against plain `npx playwright test` on the same suite with the same workers,
// alternating, several times; the figure is the ratio of the medians.
// Run: npm run bench -- run-vs-playwright   (BENCH_REPEAT=5 for more pairs)
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { playwrightCli } from '../runner/playwright/cli-path.ts';
import { REPO, runNode, UIGATE_BIN } from '../runner/testing/fixture-project.ts';
import { machine, median, s } from './lib.ts';
import { ENV } from '../runner/core/env.ts';

async function timed(run: () => Promise<{ code: number | null; stderr: string }>): Promise<number> {
  const start = performance.now();
  const result = await run();
  if (result.code !== 0) throw new Error(`benchmark command failed (${result.code}): ${result.stderr.slice(-500)}`);
  return performance.now() - start;
}

export async function runVsPlaywrightBench(): Promise<string> {
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const workers = String(Math.max(1, Math.floor(availableParallelism() / 2)));
  const home = await mkdtemp(join(tmpdir(), 'uigate-bench-'));
  const uigate: number[] = [];
  const playwright: number[] = [];
  try {
    // One warm-up of each so neither pays for cold disk caches.
    await timed(() => runNode([UIGATE_BIN, 'run', '--workers', workers], REPO, { [ENV.home]: home }));
    await timed(() =>
      runNode([playwrightCli(), 'test', '--workers', workers, '--reporter=list'], REPO, { [ENV.report]: 'off' }),
    );
    for (let i = 0; i < repeat; i++) {
      const pair = [
        async () =>
          uigate.push(
            await timed(() => runNode([UIGATE_BIN, 'run', '--workers', workers], REPO, { [ENV.home]: home })),
          ),
        async () =>
          playwright.push(
            await timed(() =>
              runNode([playwrightCli(), 'test', '--workers', workers, '--reporter=list'], REPO, {
                [ENV.report]: 'off',
              }),
            ),
          ),
      ];
      if (i % 2) pair.reverse();
      for (const run of pair) await run();
      console.error(`  pair ${i + 1}/${repeat}: uigate ${s(uigate.at(-1)!)}, playwright ${s(playwright.at(-1)!)}`);
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  const ratio = median(uigate) / median(playwright);
  return `## \`uigate run\` against plain \`npx playwright test\`

Command: \`npm run bench -- run-vs-playwright\` (BENCH_REPEAT=${repeat}) · machine: ${machine()} · ${new Date().toISOString().slice(0, 10)}

The sample suite (chromium + firefox), ${workers} worker(s) for both, alternating, after one warm-up of each.
Baseline: \`playwright test --workers ${workers} --reporter=list\` with the uigate reporter off.
uigate: \`uigate run --workers ${workers}\` — listing, planning, the embedded store, queued writes, the reporter, the status site served for the run.

| | runs | median | all |
|---|---|---|---|
| plain Playwright | ${playwright.length} | ${s(median(playwright))} | ${playwright.map(s).join(', ')} |
| uigate run | ${uigate.length} | ${s(median(uigate))} | ${uigate.map(s).join(', ')} |

**Ratio (median ÷ median): ${ratio.toFixed(3)}** (target ≤ 1.10).
`;
}
