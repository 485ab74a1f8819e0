// uigate run on this repository's sample suite, in a file of its own: it takes a few minutes
// alone, and each test file must finish within the runner's five-minute limit (scripts/test.js).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunSnapshot } from '../../artifacts/run-snapshot.ts';
import type { UnitRecord } from '../../core/model.ts';
import type { RunSummary } from '../../report/summary.ts';
import { stored } from '../../testing/stored-runs.ts';
import { REPO, runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';

describe('uigate run on the sample suite', () => {
  let home: string;
  before(async () => (home = await mkdtemp(join(tmpdir(), 'uigate-home-'))));
  after(() => rm(home, { recursive: true, force: true }));

  it('runs every module in chromium and firefox and stores every unit as passed', async () => {
    const result = await runNode([UIGATE_BIN, 'run', '--json'], REPO, { UIGATE_HOME: home });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as RunSummary;
    assert.equal(summary.status, 'passed');
    assert.deepEqual(Object.keys(summary.projects), ['chromium', 'firefox']);
    assert.ok(Object.keys(summary.modules).length >= 3);
    assert.ok(summary.total >= 14 && summary.counts.passed === summary.total);
    assert.deepEqual(Object.keys(summary.executors), ['local']);
    assert.match(result.stderr, /module\s+chromium\s+firefox/, 'the summary table goes to stderr with --json');
    // The run's links lead to a site that closes with it: the last line says how to open it again.
    const served = /^uigate run \S+: (http:\/\/127\.0\.0\.1:(\d+)\/runs\/\S+)$/m.exec(result.stderr)!;
    const again = `the status site closed with the run; \`npx uigate serve${served[2] === '7357' ? '' : ` --port ${served[2]}`}\` serves it again at ${served[1]}`;
    assert.equal(result.stderr.trim().split('\n').at(-1), again);

    const { runs, units } = await stored(home);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.runId, summary.runId);
    assert.equal(runs[0]!.status, 'passed');
    assert.ok(runs[0]!.finishedAt && runs[0]!.durationMs! > 0);
    assert.equal(units.length, summary.total);
    for (const unit of units) {
      assert.equal(unit.status, 'passed');
      assert.equal(unit.executor, 'local');
      assert.match(unit.executorRef ?? '', /^local-\d{3}$/);
      assert.ok(unit.durationMs! > 0 && unit.attempt === 1);
    }

    const snapshot = JSON.parse(
      await readFile(join(home, 'artifacts', summary.runId, 'run.json'), 'utf8'),
    ) as RunSnapshot;
    assert.equal(snapshot.finishedAt, runs[0]!.finishedAt, 'the snapshot belongs to this finish of the run');
    const sorted = (list: UnitRecord[]) => [...list].sort((a, b) => a.key.localeCompare(b.key));
    assert.deepEqual(sorted(snapshot.units), sorted(units), 'and holds exactly the stored units');
  });
});
