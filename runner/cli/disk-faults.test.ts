// What uigate does when the disk refuses a write, with the real CLI in a real process whose
// file-size limit stands in for a full disk (`ulimit -f`, in 1 KiB blocks here): one line naming
// the problem and the fix, exit 3, and the user's files never half-written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureProject, UIGATE_BIN, type CommandResult, type FixtureProject } from '../testing/fixture-project.ts';

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
  before(async () => {
    project = await fixtureProject({});
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
});
