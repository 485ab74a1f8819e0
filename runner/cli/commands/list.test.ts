import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPO, runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';
import { playwrightCli } from '../../playwright/cli-path.ts';

/** The lines of a listing: Playwright's own, without the notices either tool prints around them. */
const lines = (output: string) => output.split('\n').filter((line) => /^ {2}\[|^Total:/.test(line));

describe('uigate run --list', () => {
  it("lists what the run would have exactly as `npx playwright test --list` does, for Playwright's own filters too", async () => {
    for (const args of [
      ['button', '--project', 'chromium'],
      ['checkboxes.spec.ts:14', 'home'],
    ]) {
      const env = { UIGATE_REPORT: 'off' };
      const plain = await runNode([playwrightCli(REPO), 'test', '--list', ...args], REPO, env);
      const uigate = await runNode([UIGATE_BIN, 'run', '--list', ...args], REPO, env);
      assert.equal(uigate.code, 0, uigate.stderr);
      assert.ok(lines(plain.stdout).length > 1, plain.stdout + plain.stderr);
      assert.deepEqual(lines(uigate.stdout).sort(), lines(plain.stdout).sort());
    }
  });
});
