import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { UnitRecord, VisualChange } from '../core/model.ts';
import { planBaselines, writeBaselines } from './visual-baselines.ts';

const images: Record<string, Buffer> = {
  'run/a-expected.png': Buffer.from('old home'),
  'run/a-actual.png': Buffer.from('new home'),
  'run/b-actual.png': Buffer.from('first cart'),
  'run/c-expected.png': Buffer.from('old total'),
  'run/c-actual.png': Buffer.from('new total'),
  'run/d-actual.png': Buffer.from('evil'),
};
const read = async (key: string) => images[key] ?? assert.fail(`no artifact ${key}`);

const unit = (title: string, visual: VisualChange[]): UnitRecord => ({
  key: title,
  runId: 'R',
  project: 'chromium',
  module: 'look',
  file: 'look.spec.ts',
  titlePath: [title],
  line: 1,
  column: 1,
  status: 'failed',
  seq: 1,
  attempt: 1,
  visual,
});

describe('uigate baselines: a run’s screenshot changes made the new baselines', () => {
  let dir: string;
  const at = (path: string) => join(dir, path);
  const put = async (path: string, text: string) => {
    await mkdir(dirname(at(path)), { recursive: true });
    await writeFile(at(path), text);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uigate-baselines-'));
    await put('snaps/home.png', 'old home'); // as the run saw it
    await put('snaps/total.png', 'edited since'); // someone changed it after the run
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes a changed baseline still as the run saw it and a missing one, and refuses the rest, saying why', async () => {
    const units = [
      unit('home', [
        {
          name: 'home.png',
          baseline: 'snaps/home.png',
          kind: 'changed',
          expected: 'run/a-expected.png',
          actual: 'run/a-actual.png',
        },
      ]),
      unit('cart', [{ name: 'cart.png', baseline: 'snaps/cart.png', kind: 'new', actual: 'run/b-actual.png' }]),
      unit('total', [
        {
          name: 'total.png',
          baseline: 'snaps/total.png',
          kind: 'changed',
          expected: 'run/c-expected.png',
          actual: 'run/c-actual.png',
        },
      ]),
      unit('escape', [{ name: 'x.png', baseline: '../outside.png', kind: 'new', actual: 'run/d-actual.png' }]),
    ];
    const plans = await planBaselines(units, read, dir);
    assert.deepEqual(
      plans.map((plan) => [plan.baseline, plan.action, plan.reason]),
      [
        ['snaps/home.png', 'write', undefined],
        ['snaps/cart.png', 'write', undefined],
        ['snaps/total.png', 'refuse', 'the baseline changed since the run compared with it: not overwritten'],
        ['../outside.png', 'refuse', 'the path leaves the project folder'],
      ],
    );
    assert.deepEqual(await writeBaselines(plans, dir), ['snaps/home.png', 'snaps/cart.png']);
    assert.equal(await readFile(at('snaps/home.png'), 'utf8'), 'new home');
    assert.equal(await readFile(at('snaps/cart.png'), 'utf8'), 'first cart');
    assert.equal(await readFile(at('snaps/total.png'), 'utf8'), 'edited since', 'untouched');
    await assert.rejects(readFile(join(dir, '..', 'outside.png')));

    // Written once, the same plan again has nothing left to do.
    const again = await planBaselines(units.slice(0, 2), read, dir);
    assert.deepEqual(
      again.map((plan) => plan.action),
      ['already', 'already'],
    );
  });
});
