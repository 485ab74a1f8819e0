// What uigate does when the disk refuses a write, with the real CLI in a real process whose
// file-size limit stands in for a full disk (`ulimit -f`, in 1 KiB blocks here): one line naming
// the problem and the fix, exit 3, and the user's files never half-written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureProject, UIGATE_BIN, type CommandResult, type FixtureProject } from '../testing/fixture-project.ts';
import { stored } from '../testing/stored-runs.ts';

/** The uigate CLI under `ulimit -f <blocks>`. */
function uigateLimited(
  blocks: number,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CommandResult> {
  const quoted = [process.execPath, UIGATE_BIN, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -f ${blocks}; exec ${quoted}`], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((ok) => child.on('close', (code) => ok({ code, stdout, stderr })));
}

describe('a write the disk refuses', () => {
  let project: FixtureProject;
  let fixtureConfig: string;
  before(async () => {
    project = await fixtureProject({});
    fixtureConfig = await readFile(join(project.dir, 'playwright.config.ts'), 'utf8');
  });
  after(() => project.remove());

  it("leaves the user's playwright.config whole when init cannot write it, in one line, exit 3", async () => {
    // Over 2 KiB once uigate's reporter is added: the write runs into the limit part way.
    const padding = Array.from({ length: 60 }, (_, i) => `// note ${i}: ${'x'.repeat(40)}`).join('\n');
    const original = `import { defineConfig } from '@playwright/test';\n${padding}\nexport default defineConfig({ testDir: './tests', reporter: 'html' });\n`;
    await project.write('playwright.config.ts', original);
    const result = await uigateLimited(2, ['init'], project.dir);
    assert.equal(result.code, 3, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0]!,
      /^uigate: could not write .*playwright\.config\.ts: the file-size limit was reached \(ulimit -f\) \(EFBIG\); it was left as it was/,
    );
    assert.equal(await readFile(join(project.dir, 'playwright.config.ts'), 'utf8'), original);
  });

  it('ends a run whose store cannot write with one line naming the disk and the run, exit 3; --resume finishes it with room', async () => {
    // Results with long errors: the store's log passes the limit part way through the run.
    const tests = Array.from(
      { length: 24 },
      (_, i) => `test('fails ${i}', () => { throw new Error('${i}: ' + 'x'.repeat(3000)); });`,
    ).join('\n');
    await project.write(
      'tests/many.spec.ts',
      `import { test } from '@playwright/test';\ntest.describe.configure({ mode: 'parallel' });\n${tests}\n`,
    );
    await project.write('playwright.config.ts', fixtureConfig);
    const home = join(project.dir, '.uigate-full');
    const full = await uigateLimited(96, ['run', '--no-serve', '-w', '1'], project.dir, { UIGATE_HOME: home });
    assert.equal(full.code, 3, full.stdout + full.stderr);
    const runId = /uigate run (\S+)/.exec(full.stdout)![1]!;
    const said = full.stderr.split('\n').filter((line) => line.startsWith('uigate: the embedded store'));
    assert.equal(said.length, 1, full.stderr);
    assert.match(
      said[0]!,
      new RegExp(
        `could not write to .*dynamodb: a file-size limit was reached \\(ulimit -f\\) .*What it had recorded is kept; make room .*then finish run ${runId} with \`npx uigate run --resume ${runId}\``,
      ),
    );
    assert.doesNotMatch(full.stderr, /^\s+at /m, 'no stack trace');

    const before = (await stored(home)).runs[0]!;
    assert.equal(before.runId, runId);
    assert.ok((before.counts.failed ?? 0) > 0, 'what was recorded before the limit is kept');
    const resumed = await project.uigate(['run', '--resume', runId, '--no-serve'], { env: { UIGATE_HOME: home } });
    assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr);
    const after = await stored(home);
    assert.equal(after.runs[0]!.status, 'failed');
    assert.deepEqual(after.runs[0]!.counts, { failed: 24 });
  });
});
