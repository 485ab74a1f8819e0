// The embedded store's owner dies mid-run: `uigate serve` started it, `uigate run` uses it, and
// serve is killed (SIGKILL, no clean-up) while tests run. Real processes, real signals.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureProject, UIGATE_BIN, type FixtureProject } from '../testing/fixture-project.ts';
import { stored } from '../testing/stored-runs.ts';

/** Runs the CLI, resolving once `ready` matches its output, and again when it exits. */
function start(args: string[], cwd: string, env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(process.execPath, [UIGATE_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  const seen = new Promise<void>((ok) => {
    const look = (chunk: Buffer, out: boolean) => {
      output += chunk;
      if (out) stdout += chunk;
      if (ready.test(output)) ok();
    };
    child.stdout.on('data', (chunk: Buffer) => look(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => look(chunk, false));
  });
  const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
  return { child, seen, exited, output: () => output, stdout: () => stdout };
}

describe("the embedded store's owner dies mid-run", () => {
  let project: FixtureProject;
  before(async () => {
    const specs: Record<string, string> = {};
    for (let i = 0; i < 6; i++)
      specs[`s${i}.spec.ts`] =
        `import { test } from '@playwright/test';\ntest('waits ${i}', async () => { await new Promise((ok) => setTimeout(ok, 800)); });\n`;
    project = await fixtureProject(specs);
  });
  after(() => project.remove());

  it('loses no result: the run takes the store over and ends with every unit recorded', async () => {
    const env = { ...process.env, UIGATE_HOME: join(project.dir, '.uigate-owner'), NO_COLOR: '1', CI: '' };
    const serve = start(['serve', '--port', '0'], project.dir, env, /uigate status site: /);
    await serve.seen;
    const run = start(['run', '--no-serve', '-w', '1', '--json'], project.dir, env, /✓ \[chromium\]/);
    await run.seen;
    serve.child.kill('SIGKILL');
    await serve.exited;
    assert.equal(await run.exited, 0, run.output());
    const summary = JSON.parse(run.stdout()) as { runId: string; counts: Record<string, number> };
    assert.deepEqual(summary.counts, { passed: 6 });
    const { runs, units } = await stored(env.UIGATE_HOME);
    assert.equal(runs[0]!.runId, summary.runId);
    assert.equal(runs[0]!.status, 'passed');
    assert.deepEqual(
      units.map((unit) => unit.status),
      Array(6).fill('passed'),
    );
  });
});
