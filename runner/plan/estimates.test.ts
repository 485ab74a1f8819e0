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
});
