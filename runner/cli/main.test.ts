import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runNode, REPO } from '../testing/fixture-project.ts';

// A command's main, run as the CLI's process would run it.
const script = (body: string) => `
import { runFromProcess } from ${JSON.stringify(`${REPO}runner/cli/main.ts`)};
await runFromProcess(async () => { ${body} }, 300);
`;
const runScript = (body: string) => runNode(['--import', 'tsx', '--input-type=module', '-e', script(body)], REPO);

describe('the uigate process', () => {
  it('ends with the command’s exit code even when something it opened stays open, and says what', async () => {
    const result = await runScript(`setInterval(() => {}, 1_000); return 3;`);
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      /uigate: finished, but Timeout stayed open 0\.3s later \(a bug — please report it\); exiting/,
    );
  });

  it('ends quietly when nothing is left open', async () => {
    const result = await runScript(`return 1;`);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, '');
  });
});

describe('uigate --version', () => {
  it("prints the package's version, as Playwright's --version does, and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runNode([`${REPO}bin/uigate.js`, flag], REPO);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), version);
    }
  });
});
