// Time from a fault to the restored release in `uigate pipeline --local`: one healthy release,
// then releases broken right after promotion (--break-after-promote). Each is split into
// detection (fault → ALARM) and restore (ALARM → previous release live), against the floor set by
// one failing smoke run measured in the same pipeline.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../runner/store/open-store.ts';
import { REPO, runNode, UIGATE_BIN } from '../runner/testing/fixture-project.ts';
import { machine, median, s } from './lib.ts';
import { ENV } from '../runner/core/env.ts';

const TRIALS = 3;
const ARGS = ['pipeline', '--local', '--approve', '-p', 'chromium', '-w', '2', '--bake', '5s', '--no-serve', '--json'];

export async function rollbackBench(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'uigate-bench-rollback-'));
  const env = { [ENV.home]: home, [ENV.approver]: 'bench', NO_COLOR: '1' };
  try {
    const healthy = await runNode([UIGATE_BIN, ...ARGS], REPO, env);
    if (healthy.code !== 0) throw new Error(`the healthy release did not pass: ${healthy.stderr.slice(-500)}`);
    const rows: { total: number; detect: number; restore: number; smoke: number }[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const broken = await runNode([UIGATE_BIN, ...ARGS, '--break-after-promote'], REPO, env);
      const outcome = JSON.parse(broken.stdout) as { runId: string; faultToRestoreMs?: number };
      if (!outcome.faultToRestoreMs) throw new Error(`trial ${i + 1} did not roll back: ${broken.stderr.slice(-500)}`);
      const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
      try {
        const events = await store.listEvents(outcome.runId);
        const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.at);
        const failingSmoke = (await store.listRuns({ limit: 20 })).items.find(
          (run) =>
            run.trigger === 'uigate verify (smoke)' &&
            run.status === 'failed' &&
            run.startedAt > events.find((e) => e.type === 'fault-injected')!.at,
        );
        rows.push({
          total: outcome.faultToRestoreMs,
          detect: at('alarm') - at('fault-injected'),
          restore: at('rollback-restored') - at('alarm'),
          smoke: failingSmoke?.durationMs ?? NaN,
        });
      } finally {
        await store.close();
      }
    }
    const total = median(rows.map((r) => r.total));
    const smoke = median(rows.map((r) => r.smoke));
    return [
      '## rollback — fault to restored release, `uigate pipeline --local`',
      '',
      `Command: \`npm run bench -- rollback\` (${TRIALS} broken releases after one healthy one; @smoke tests in chromium, local alarm SmokeFailures ≥ 1 in 1 of 2 periods of 2 s). Machine: ${machine()}.`,
      '',
      '| trial | fault → restored | fault → ALARM | ALARM → restored | one failing smoke run |',
      '|---|---|---|---|---|',
      ...rows.map(
        (r, i) => `| ${i + 1} | ${s(r.total)} | ${s(r.detect)} | ${r.restore.toFixed(0)} ms | ${s(r.smoke)} |`,
      ),
      '',
      `Median fault → restored: **${s(total)}**, ${(total / smoke).toFixed(2)} × the floor of one failing smoke run (${s(smoke)}, measured in the same trials): the canary has to see the fault before anything can act on it. The rollback itself (switching production back to the last verified release) takes milliseconds; detection is all smoke-test time (the broken assertion waits out Playwright's 5 s expect timeout) plus up to one alarm period.`,
    ].join('\n');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
