import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { UnitRecord } from '../../core/model.ts';
import type { RunSummary } from '../../report/summary.ts';
import { stored } from '../../testing/stored-runs.ts';
import { fixtureProject, type FixtureProject } from '../../testing/fixture-project.ts';
import { mergedAsJson } from '../../testing/merged-blobs.ts';

const byTitle = (units: UnitRecord[]) => Object.fromEntries(units.map((unit) => [unit.titlePath.at(-1)!, unit]));

describe('uigate run on specs made on the fly', () => {
  let project: FixtureProject;
  before(async () => {
    project = await fixtureProject({
      'form.spec.ts': `
import { test, expect } from '@playwright/test';
test('passes', async ({ page }) => {
  await page.setContent('<button>Save</button>');
  await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
});
test('fails with a clear error', async ({ page }) => {
  await page.setContent('<button>Save</button>');
  await expect(page.getByRole('button', { name: 'Submit' })).toBeVisible({ timeout: 300 });
});
`,
      'flaky.spec.ts': `
import { test, expect } from '@playwright/test';
test('passes on its second attempt', async ({ page }, testInfo) => {
  await page.setContent('<p>hello</p>');
  expect(testInfo.retry, 'the first attempt fails on purpose').toBeGreaterThan(0);
});
`,
      'fixable.spec.ts': `
import { test, expect } from '@playwright/test';
// Parallel: each test is a group of its own, so --rerun-failed can take one without the other.
test.describe.configure({ mode: 'parallel' });
test('always passes', async () => { expect(1).toBe(1); });
test('fails until fixed', async () => { expect(process.env.FIXED, 'set FIXED=1 to fix me').toBe('1'); });
`,
      'crash.spec.ts': `
import { test, expect } from '@playwright/test';
test('before the crash', async () => { expect(1).toBe(1); });
test('kills its Playwright process on the first dispatch', async () => {
  // Give the runner a moment to take in the first test's result: a crash loses only what was running.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (process.env.UIGATE_DISPATCH === '1') {
    process.kill(process.ppid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
  expect(process.env.UIGATE_DISPATCH).not.toBe('1');
});
`,
      'paced.spec.ts': `
import { test } from '@playwright/test';
// Three groups, the long one listed last: Playwright's own order leaves it running alone at the end.
test.describe.configure({ mode: 'parallel' });
test('a short one', async () => { await new Promise((resolve) => setTimeout(resolve, 1_500)); });
test('another short one', async () => { await new Promise((resolve) => setTimeout(resolve, 1_500)); });
test('the long one', async () => { await new Promise((resolve) => setTimeout(resolve, 7_000)); });
`,
      'slow.spec.ts': `
import { test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
test('waits a long time', async () => {
  writeFileSync(process.env.SLOW_MARKER!, String(process.pid));
  await new Promise((resolve) => setTimeout(resolve, 120_000));
});
`,
    });
  });
  after(() => project.remove());

  const home = (name: string) => join(project.dir, name);

  it('exits 1 when a test fails, with the failure, its error and its screenshot stored', async () => {
    const result = await project.uigate(['run', '--module', 'form', '--json'], {
      env: { UIGATE_HOME: home('failing') },
    });
    assert.equal(result.code, 1, result.stderr);
    const summary = JSON.parse(result.stdout) as RunSummary;
    assert.equal(summary.status, 'failed');
    assert.deepEqual(summary.counts, { passed: 1, failed: 1 });
    assert.match(
      result.stderr,
      /✘ \[chromium\] form\.spec\.ts › fails with a clear error/,
      'the failure is shown as it happens',
    );
    // Notifications on the terminal (SNS in AWS): started, then failed with the reason.
    assert.match(result.stderr, new RegExp(`🔔 run ${summary.runId} started`));
    assert.match(
      result.stderr,
      new RegExp(
        `🔔 run ${summary.runId} failed\\n(   .*\\n)*   tests: 2 units: 1 passed, 1 failed\\n   duration: \\d+s\\n   reason: 1 failed: \\[chromium\\] fails with a clear error`,
      ),
    );

    const { runs, units } = await stored(home('failing'));
    assert.equal(runs[0]!.status, 'failed');
    assert.deepEqual(runs[0]!.selection, { modules: ['form'] }, 'the run remembers it was narrowed');
    const failed = byTitle(units)['fails with a clear error']!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error!.message, /getByRole\('button', \{ name: 'Submit' \}\)/);
    // eslint-disable-next-line no-control-regex -- ESC starts a terminal colour code
    assert.doesNotMatch(failed.error!.message, /\u001b\[/, 'no terminal colour codes in the store');
    assert.ok(failed.error!.stack);
    const screenshot = failed.attachments?.find((a) => a.contentType === 'image/png');
    assert.ok(screenshot, 'a screenshot is recorded');
    assert.ok(existsSync(join(home('failing'), 'artifacts', screenshot.path)), 'and kept under the artifacts folder');
    assert.ok(
      failed.attachments?.some((a) => a.name === 'trace'),
      'a trace is recorded',
    );
  });

  it('re-runs only what did not pass with --rerun-failed, and marks the run as narrowed', async () => {
    const env = { UIGATE_HOME: home('rerun') };
    const first = JSON.parse(
      (await project.uigate(['run', '--module', 'fixable', '--json'], { env })).stdout,
    ) as RunSummary;
    assert.deepEqual(first.counts, { passed: 1, failed: 1 });

    const rerun = await project.uigate(['run', '--rerun-failed', '--json'], { env: { ...env, FIXED: '1' } });
    assert.equal(rerun.code, 0, rerun.stderr);
    const second = JSON.parse(rerun.stdout) as RunSummary;
    assert.deepEqual(second.counts, { passed: 1 }, 'only the failed unit ran, and passes now');
    const { runs, units } = await stored(home('rerun'));
    assert.deepEqual(
      units.map((unit) => unit.titlePath.at(-1)),
      ['fails until fixed'],
    );
    assert.deepEqual(runs[0]!.selection, { rerunOf: first.runId });

    const nothing = await project.uigate(['run', '--rerun-failed', second.runId], { env });
    assert.equal(nothing.code, 2, nothing.stdout + nothing.stderr);
    assert.match(nothing.stderr, new RegExp(`run ${second.runId} \\(passed\\) has no failed units: nothing to re-run`));
    assert.equal((await stored(home('rerun'))).runs.length, 2, 'and no run left behind');
  });

  it('lets Playwright balance a first run in one process, and splits once the durations promise better', async () => {
    const env = { UIGATE_HOME: home('balance') };
    const run = async () => {
      const result = await project.uigate(['run', '--module', 'paced', '--workers', '2', '--no-serve'], { env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      return result.stdout;
    };
    const first = await run();
    assert.match(
      first,
      /one Playwright process with 2 workers, not 2 side by side: 3 of 3 units have no recorded duration yet/,
    );
    assert.match(first, /3 pieces on local ×1/);
    // One run says little about the next; two that agree make the split (the long group alone,
    // the short ones together) beat Playwright's order, which runs the long one last.
    await run();
    const third = await run();
    assert.doesNotMatch(third, /one Playwright process/);
    assert.match(third, /3 pieces on local ×2/);
    // Each Playwright process left a blob report; the run has one HTML report of both.
    assert.match(third, /Playwright report \(2 batches merged\): npx playwright show-report \S+report/);
    const runId = /uigate run (\S+)/.exec(third)![1]!;
    const artifacts = join(home('balance'), 'artifacts', runId);
    assert.ok(existsSync(join(artifacts, 'report', 'index.html')));
    const merged = await mergedAsJson(project.dir, join(artifacts, 'blobs'));
    const titles = [...merged.matchAll(/"title": "([^"]*one)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(titles, ['a short one', 'another short one', 'the long one']);
    const { runs } = await stored(home('balance'));
    assert.equal(runs.find((stored) => stored.runId === runId)!.htmlReport, `${runId}/report/index.html`);
  });

  it('stores a test that fails once and then passes as flaky, and exits 0', async () => {
    const result = await project.uigate(['run', '--module', 'flaky', '--retries', '1'], {
      env: { UIGATE_HOME: home('flaky') },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /flaky: passed on attempt 2/);
    const { runs, units } = await stored(home('flaky'));
    assert.equal(runs[0]!.status, 'passed');
    const [unit] = units;
    assert.equal(unit!.status, 'flaky');
    assert.equal(unit!.attempt, 2);
    assert.deepEqual(
      unit!.attempts?.map((a) => a.status),
      ['failed', 'passed'],
    );
    assert.match(unit!.attempts![0]!.error!.message, /the first attempt fails on purpose/);
    // The failed attempt's screenshot stays on the unit after the retry passed, marked with its attempt.
    const shot = unit!.attachments?.find((a) => a.contentType === 'image/png');
    assert.equal(shot?.attempt, 1, JSON.stringify(unit!.attachments));
    assert.ok(existsSync(join(home('flaky'), 'artifacts', shot.path)));
  });

  it("re-runs a crashed Playwright process's unfinished units instead of dropping them", async () => {
    const result = await project.uigate(['run', '--module', 'crash'], { env: { UIGATE_HOME: home('crash') } });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /was killed by SIGKILL before finishing — re-queuing 1 unfinished unit\(s\), try 2/);
    const { units } = await stored(home('crash'));
    const titles = byTitle(units);
    assert.equal(units.length, 2);
    assert.equal(titles['before the crash']!.executorRef, 'local-001', 'the finished unit was not run again');
    assert.equal(titles['kills its Playwright process on the first dispatch']!.status, 'passed');
    assert.equal(titles['kills its Playwright process on the first dispatch']!.executorRef, 'local-001.2');
  });

  it('stops the workers on Ctrl-C and marks the run cancelled', async () => {
    const marker = join(project.dir, 'slow.started');
    let pid = 0;
    const running = project.uigate(['run', '--module', 'slow'], {
      env: { UIGATE_HOME: home('cancel'), SLOW_MARKER: marker },
      onStart: (p) => (pid = p),
    });
    for (let i = 0; i < 600 && !existsSync(marker); i++) await sleep(100);
    assert.ok(existsSync(marker), 'the slow test started');
    const workerPid = Number(await readFile(marker, 'utf8'));
    process.kill(pid, 'SIGINT');
    const result = await running;
    assert.equal(result.code, 130, result.stdout + result.stderr);
    const { runs, units } = await stored(home('cancel'));
    assert.equal(runs[0]!.status, 'cancelled');
    assert.equal(units[0]!.status, 'cancelled');
    assert.throws(() => process.kill(workerPid, 0), 'the Playwright worker is gone');
  });

  it('quits on a second Ctrl-C without waiting, still killing Playwright and marking the run cancelled', async () => {
    const marker = join(project.dir, 'slow-twice.started');
    let pid = 0;
    const running = project.uigate(['run', '--module', 'slow'], {
      env: { UIGATE_HOME: home('cancel-twice'), SLOW_MARKER: marker },
      onStart: (p) => (pid = p),
    });
    for (let i = 0; i < 600 && !existsSync(marker); i++) await sleep(100);
    assert.ok(existsSync(marker), 'the slow test started');
    const workerPid = Number(await readFile(marker, 'utf8'));
    process.kill(pid, 'SIGINT');
    await sleep(50);
    process.kill(pid, 'SIGINT');
    const result = await running;
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stderr, /SIGINT again — killing Playwright and quitting/);
    assert.ok(await gone(workerPid), 'the Playwright worker is gone');
    const { runs } = await stored(home('cancel-twice'));
    assert.equal(runs[0]!.status, 'cancelled');
  });

  for (const [name, args, message] of [
    [
      'an unknown module',
      ['run', '--module', 'nope'],
      /unknown module "nope".*known: crash, fixable, flaky, form, paced, slow/,
    ],
    ['an unknown project', ['run', '--project', 'edge'], /unknown project "edge".*known: chromium/],
    ['a filter that selects nothing', ['run', '--grep', 'no such test'], /no tests selected/],
    [
      'a malformed config',
      ['run', '--config', 'bad.config.ts'],
      /bad\.config\.ts:1: unknown key "store\.tabel"; did you mean "table"\?/,
    ],
    [
      'a browser that is not installed',
      ['run', '--project', 'webkit'],
      /project webkit: not installed — .*npx playwright install/,
    ],
    [
      '--rerun-failed with no run to take the failures of',
      ['run', '--rerun-failed'],
      /no finished run in the store to re-run the failures of \(--rerun-failed\): run the suite first, or name a run/,
    ],
  ] as const) {
    it(`refuses ${name} with one line, exit 2, and no run left behind`, async () => {
      await project.write('bad.config.ts', `export default { store: { tabel: 'x' } };\n`);
      const result = await project.uigate([...args], { env: { UIGATE_HOME: home('bad'), UIGATE_WEBKIT_PATH: '' } });
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      if (existsSync(join(home('bad'), 'dynamodb'))) assert.equal((await stored(home('bad'))).runs.length, 0);
    });
  }
});

/**
 * Whether a process has ended. Killed with its parent, it may linger as a zombie until whoever
 * adopted it reaps it (in a container, PID 1 may never do so): ended all the same.
 */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (/^\d+ \(.*\) Z /.test(stat)) return true;
    await sleep(100);
  }
  return false;
}
