import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededStore, seedRun, type SeededStore, type SeedUnit } from '../../../status-site/testing/seed.ts';
import { runNode, UIGATE_BIN } from '../../testing/fixture-project.ts';

describe('uigate approve / reject', () => {
  let seed: SeededStore;
  const cli = (args: string[], approver = 'ana') =>
    runNode([UIGATE_BIN, ...args], seed.dir, { UIGATE_HOME: seed.dir, UIGATE_APPROVER: approver });
  const run = (units: SeedUnit[] = [{ file: 'cart.spec.ts', title: 'pays', status: 'passed' }], at = new Date()) =>
    seedRun(seed, units, { author: 'Dana <dana@example.com>' }, at);

  before(async () => {
    seed = await seededStore();
    await writeFile(
      join(seed.dir, 'uigate.config.ts'),
      `export default { gate: { maxFailures: 0 }, approval: { approvers: ['ana', 'ben', 'dana'], overriders: ['ben'] } };\n`,
    );
  });
  after(() => seed.remove());

  it('creates the local approver token on first use, readable by its owner only', async () => {
    const result = await cli(['approver', 'token']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), /^uig_[A-Za-z0-9_-]{43}$/);
    const file = join(seed.dir, 'approvers.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).approvers.ana.token, result.stdout.trim());
    assert.equal((await cli(['approver', 'token'])).stdout, result.stdout, 'the same token next time');
  });

  it('gates a run, opens its request, approves it with a comment, and tells the terminal', async () => {
    const runId = await run();
    const gate = await cli(['gate', '--run', runId]);
    assert.equal(gate.code, 0, gate.stderr);
    assert.match(gate.stderr, /approval: pending until .* `uigate approve --run /);
    assert.match(gate.stderr, /🔔 approval requested for run/);
    const approved = await cli(['approve', '--run', runId, '--comment', 'matrix is green']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stderr, /recorded: ana approved run .*; request approved/);
    assert.match(approved.stderr, /🔔 run \S+ approved by ana/);
    const shown = await cli(['approval', '--run', runId]);
    assert.match(shown.stdout, /: approved/);
    assert.match(shown.stdout, /ana approved: matrix is green/);
  });

  it('refuses, with one line and exit 2, what the rules do not allow', async () => {
    const runId = await run();
    await cli(['gate', '--run', runId]);
    const cases: [string[], string, RegExp][] = [
      [
        ['approve', '--run', runId, '--comment', 'ok'],
        'mallory',
        /^uigate: approval refused: mallory is not an allowed approver$/,
      ],
      [['approve', '--run', runId], 'ana', /^uigate: --comment is required/],
      [
        ['approve', '--run', runId, '--comment', 'mine'],
        'dana',
        /^uigate: approval refused: dana wrote this commit and may not approve it/,
      ],
      [
        ['approve', '--run', runId, '--comment', 'x', '--commit', 'ffffffffffff'],
        'ana',
        /^uigate: approval refused: this request is for commit 0123456789ab, not ffffffffffff$/,
      ],
      [
        ['approve', '--run', '20990101T000000000Z-zzzz', '--comment', 'x'],
        'ana',
        /^uigate: approval refused: no run 20990101T000000000Z-zzzz$/,
      ],
      [['approve', '--run', 'nope', '--comment', 'x'], 'ana', /^uigate: malformed run id "nope"/],
      [['approve', '--run', runId, '--comment', 'x'], 'bad name!', /^uigate: approver name "bad name!" is not allowed/],
    ];
    for (const [args, approver, message] of cases) {
      const result = await cli(args, approver);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr.trim(), message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
    assert.equal(
      (await cli(['approval', '--run', runId, '--json'])).stdout.includes('"votes":[]'),
      true,
      'nothing was written',
    );
  });

  it('approves a failed run only by an explicit override from an overrider', async () => {
    const runId = await run([{ file: 'cart.spec.ts', title: 'pays', status: 'failed' }]);
    assert.equal((await cli(['gate', '--run', runId])).code, 1);
    assert.match(
      (await cli(['approve', '--run', runId, '--comment', 'ship'])).stderr,
      /failed its gate policy; an allowed approver may override it explicitly/,
    );
    assert.match(
      (await cli(['approve', '--run', runId, '--comment', 'ship', '--override'])).stderr,
      /ana may not override a failed gate/,
    );
    const override = await cli(
      ['approve', '--run', runId, '--comment', 'known flaky backend, hotfix', '--override'],
      'ben',
    );
    assert.equal(override.code, 0, override.stderr);
    assert.match(
      (await cli(['approval', '--run', runId])).stdout,
      /ben approved \(override\): known flaky backend, hotfix/,
    );
  });

  it('refuses a token file others can read', async () => {
    await chmod(join(seed.dir, 'approvers.json'), 0o644);
    const result = await cli(['approve', '--run', await run(), '--comment', 'x']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /approvers\.json is readable by others \(mode 644\); run `chmod 600 /);
    await chmod(join(seed.dir, 'approvers.json'), 0o600);
  });
});
