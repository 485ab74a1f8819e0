import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnitRef } from '../core/model.ts';
import { makeUnit } from '../playwright/list.ts';
import { estimateUnits, fromHistory, weightedMedian } from './estimates.ts';

const unit = (file: string, title: string, project = 'chromium'): UnitRef =>
  makeUnit(`/t/${file}`, '/t', ['Suite', title], project, 1, 1);

describe('estimating durations', () => {
  it('follows a test that got slower within two runs, but not one odd run', () => {
    // Newest first: 1 s for three runs, then one slow run, then a second.
    assert.equal(fromHistory([4000, 1000, 1000, 1000, 1000])!.ms, 1000, 'one slow run is an outlier');
    assert.equal(fromHistory([4000, 4000, 1000, 1000, 1000])!.ms, 4000, 'two are the new pace');
    assert.equal(fromHistory([1000, 4000, 4000, 4000, 4000])!.ms, 4000);
  });

  it('is as unsure as the recorded durations are spread, and fairly unsure of one', () => {
    assert.equal(fromHistory([1000, 1000, 1000])!.uncertainty, 0);
    assert.ok(fromHistory([600, 1400, 1000])!.uncertainty > 0.3);
    assert.equal(fromHistory([1000])!.uncertainty, 0.3);
    assert.equal(fromHistory([]), undefined);
  });

  it('takes the weighted median', () => {
    assert.equal(
      weightedMedian([
        { value: 5, weight: 1 },
        { value: 1, weight: 3 },
      ]),
      1,
    );
    assert.equal(
      weightedMedian([
        { value: 5, weight: 3 },
        { value: 1, weight: 1 },
      ]),
      5,
    );
  });

  it('gives an unseen test its file’s pace, else its browser’s, else the suite’s, before the default', () => {
    const seen = [unit('a.spec.ts', 'one'), unit('b.spec.ts', 'two'), unit('b.spec.ts', 'two', 'firefox')];
    const history = new Map([
      [seen[0]!.key, [1000]],
      [seen[1]!.key, [2000]],
      [seen[2]!.key, [6000]],
    ]);
    const sameFile = unit('a.spec.ts', 'three');
    const sameBrowser = unit('c.spec.ts', 'four', 'firefox');
    const otherBrowser = unit('c.spec.ts', 'five', 'webkit');
    const estimates = estimateUnits([...seen, sameFile, sameBrowser, otherBrowser], history, 5000);
    assert.deepEqual(estimates.get(sameFile.key), { ms: 1000, uncertainty: 0.5, basis: 'file' });
    assert.deepEqual(estimates.get(sameBrowser.key), { ms: 6000, uncertainty: 0.7, basis: 'project' });
    assert.equal(estimates.get(otherBrowser.key)!.basis, 'suite');
    assert.equal(estimates.get(otherBrowser.key)!.ms, 2000);
    assert.deepEqual(estimateUnits([otherBrowser], new Map(), 5000).get(otherBrowser.key), {
      ms: 5000,
      uncertainty: 1.5,
      basis: 'default',
    });
  });

  it('gives a test new to a browser its twin’s time in another, scaled by how the two browsers compare on the tests both ran', () => {
    const both = ['one', 'two', 'three'].flatMap((title) => [
      unit('a.spec.ts', title),
      unit('a.spec.ts', title, 'webkit'),
    ]);
    // webkit runs these three 1.5× as long as chromium.
    const history = new Map(
      both.map((u, i) => [u.key, [(Math.floor(i / 2) + 1) * 1000 * (u.project === 'webkit' ? 1.5 : 1)]]),
    );
    const chromiumOnly = unit('b.spec.ts', 'new in webkit');
    history.set(chromiumOnly.key, [4000]);
    const newInWebkit = unit('b.spec.ts', 'new in webkit', 'webkit');
    const newBrowser = unit('b.spec.ts', 'new in webkit', 'firefox');
    const estimates = estimateUnits([...both, chromiumOnly, newInWebkit, newBrowser], history, 5000);
    assert.deepEqual(estimates.get(newInWebkit.key), { ms: 6000, uncertainty: 0.4, basis: 'sibling' });
    // Firefox never ran beside chromium: its recorded twin counts as it is.
    assert.deepEqual(estimates.get(newBrowser.key), { ms: 4000, uncertainty: 0.4, basis: 'sibling' });
    // Without a twin recorded, the file's pace as before.
    const alone = unit('a.spec.ts', 'four', 'webkit');
    assert.equal(estimateUnits([...both, alone], history, 5000).get(alone.key)!.basis, 'file');
  });

  it('sizes a first run’s tests by their bodies in the listing: a test twice the suite’s typical length, twice the default', () => {
    // Declarations at these lines: bodies of 10, 10, 20 and 10 lines in a.spec.ts; b.spec.ts's only test takes its file's typical.
    const at = (file: string, title: string, line: number, project = 'chromium') =>
      makeUnit(`/t/${file}`, '/t', [title], project, line, 1);
    const units = [
      at('a.spec.ts', 'one', 3),
      at('a.spec.ts', 'two', 13),
      at('a.spec.ts', 'long', 23),
      at('a.spec.ts', 'long', 23, 'firefox'),
      at('a.spec.ts', 'three', 43),
      at('a.spec.ts', 'last', 53),
      at('b.spec.ts', 'alone', 3),
    ];
    const estimates = estimateUnits(units, new Map(), 5000);
    const ms = (i: number) => estimates.get(units[i]!.key)!;
    assert.deepEqual(ms(0), { ms: 5000, uncertainty: 1.2, basis: 'listing' });
    assert.equal(ms(2).ms, 10_000, 'twice as long a body');
    assert.equal(ms(3).ms, 10_000, 'in every project');
    assert.equal(ms(5).ms, 5000, "the last test of a file: its file's typical body");
    assert.equal(ms(6).ms, 5000, "a file of one test: the suite's typical body");
    // Once anything is recorded, history's neighbours say more than the lines do.
    assert.equal(estimateUnits(units, new Map([[units[0]!.key, [800]]]), 5000).get(units[2]!.key)!.basis, 'file');
  });
});
