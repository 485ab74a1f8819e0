import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore } from '../../../status-site/testing/seed.ts';
import { runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';

describe('uigate gate', () => {
  let seed: SeededStore;
  let failing: string;
  let passing: string;
  const gate = (args: string[]) => runNode([UIGATE_BIN, 'gate', ...args], seed.dir, { UIGATE_HOME: seed.dir });

  before(async () => {
    seed = await seededStore();
    await writeFile(
      join(seed.dir, 'uigate.config.ts'),
      `export default { gate: { maxFailures: 0, minPassRate: { chromium: 0.9 }, requiredProjects: ['chromium'] } };\n`,
    );
    await writeFile(
      join(seed.dir, 'typo.config.ts'),
      `export default {\n  gate: {\n    requiredProjects: ['chromium'],\n    maxFailure: 0,\n  },\n};\n`,
    );
    failing = await seedRun(seed, [
      { file: 'cart.spec.ts', title: 'adds', status: 'passed' },
      { file: 'cart.spec.ts', title: 'pays', status: 'failed', error: 'boom' },
    ]);
    passing = await seedRun(seed, [
      { file: 'cart.spec.ts', title: 'adds', status: 'passed' },
      { file: 'cart.spec.ts', title: 'pays', status: 'flaky' },
    ]);
  });
  after(() => seed.remove());

  it('fails a run that breaks the policy, naming each rule, and records the decision', async () => {
    const result = await gate(['--run', failing, '--json']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /gate: FAILED/);
    assert.match(result.stderr, /✘ failures: 1 \(needs ≤ 0\)/);
    assert.match(result.stderr, /✘ pass rate chromium: 50\.0% \(needs ≥ 90\.0%\)/);
    assert.match(result.stderr, /✓ covers browser chromium/);
    assert.equal(JSON.parse(result.stdout).passed, false);
    const [event] = (await seed.store.listEvents(failing)).filter((e) => e.type === 'gate');
    assert.equal(event!.detail!.passed, false);
    assert.ok(Array.isArray(event!.detail!.rules));
  });

  it('passes a run that meets it (a flaky pass counts as passed), exit 0', async () => {
    const result = await gate(['--run', passing]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /gate: PASSED/);
  });

  it('refuses an unknown or malformed run id, and a policy with a typo, with one line and exit 2', async () => {
    const unknown = await gate(['--run', '20990101T000000000Z-zzzz']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^uigate: no run 20990101T000000000Z-zzzz in the store/);
    const malformed = await gate(['--run', '../etc']);
    assert.equal(malformed.code, 2);
    const typo = await gate(['--run', passing, '--config', 'typo.config.ts']);
    assert.equal(typo.code, 2);
    assert.match(
      typo.stderr,
      /^uigate: \S*typo\.config\.ts:4: unknown key "gate\.maxFailure"; did you mean "maxFailures"\?/,
    );
    assert.equal(typo.stderr.trim().split('\n').length, 1);
  });
});
