// Playwright's flags for how tests run, given to `uigate run` as to `npx playwright test`: the same
// tests end the same way (-x, --max-failures), -u writes the project's
// snapshots, --trace keeps a passing test's trace, and -c names Playwright's config. Tests without
// a page, so no browser starts: what is checked is the flags' way through uigate to Playwright.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { conformanceProject, differences, type ConformanceProject } from '../testing/conformance.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { REPO } from '../testing/fixture-project.ts';

const TEST = `import { test, expect } from '@playwright/test';\n`;

describe("Playwright's flags through uigate run", () => {
  let project: ConformanceProject;

  before(async () => {
    project = await conformanceProject({
      config: `projects: [chromium],`,
      files: {
        'tests/order.spec.ts': `${TEST}
test('first passes', async () => {});
test('second fails', async () => { expect(1).toBe(2); });
test('third would pass', async () => {});
test('fourth would pass', async () => {});
`,
        'tests/snapshot.spec.ts': `${TEST}test('matches its text', async () => { expect('hello').toMatchSnapshot('greeting.txt'); });\n`,
        'tests/other/only-ci.spec.ts': `${TEST}test('only under the CI config', async () => {});\n`,
        // A second Playwright config, as teams keep one for CI: only the other folder.
        'playwright.ci.config.ts': `import { defineConfig } from '@playwright/test';
import { browserProjects } from ${JSON.stringify(join(REPO, 'runner', 'playwright', 'browsers.ts'))};
export default defineConfig({ testDir: './tests/other', projects: browserProjects().filter((p) => p.name === 'chromium') });
`,
      },
    });
  });
  after(() => project.remove());

  it('-x stops after the first failure: what ran ends as under Playwright, what did not is skipped', async () => {
    const args = ['tests/order.spec.ts', '-x', '--workers', '1'];
    const { statuses: plain } = await project.plain(args);
    const { statuses, result, summary } = await project.viaUigate(args);
    assert.deepEqual(differences(plain, statuses), [], result.stderr.slice(-2000));
    assert.equal(statuses.get('[chromium] order.spec.ts › third would pass'), 'skipped');
    assert.equal(result.code, 1);
    const { store } = await openEmbeddedStore(join(project.dir, '.uigate', 'dynamodb'));
    try {
      const run = await store.getRun(summary.runId);
      assert.match(run?.reason ?? '', /stopped after 1 failure \(--max-failures 1\)/);
    } finally {
      await store.close();
    }
  });

  it('-u writes the missing snapshot into the project, and the next run compares with it', async () => {
    const snapshot = join(project.dir, 'tests', 'snapshot.spec.ts-snapshots', 'greeting-chromium-linux.txt');
    const written = await project.viaUigate(['tests/snapshot.spec.ts', '-u'], { home: '.uigate-update' });
    assert.equal(written.result.code, 0, written.result.stderr.slice(-2000));
    assert.ok(existsSync(snapshot), 'uigate run -u wrote no snapshot where Playwright keeps it');
    // Playwright itself now compares with what uigate wrote, and passes.
    const { statuses } = await project.plain(['tests/snapshot.spec.ts']);
    assert.deepEqual([...statuses.values()], ['passed']);
  });

  it('-u with an executor whose machine is gone after the batch is refused in one line', async () => {
    const result = await project.uigate(['run', '-u', '--executor', 'lambda', '--no-serve']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^uigate: --update-snapshots writes the snapshots on the machine that ran the test.*--executor local.*uigate baselines/m,
    );
  });

  it('-c names Playwright’s config, as in npx playwright test -c', async () => {
    const { statuses, result } = await project.viaUigate(['-c', 'playwright.ci.config.ts'], { home: '.uigate-ci' });
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assert.deepEqual([...statuses.keys()], ['[chromium] only-ci.spec.ts › only under the CI config']);
  });
});
