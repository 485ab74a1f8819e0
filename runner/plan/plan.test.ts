import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../core/errors.ts';
import { makeUnit } from '../playwright/list.ts';
import type { UnitRef } from '../core/model.ts';
import { durationEstimator, planBatches, selectUnits, testListLine } from './plan.ts';

const unit = (file: string, title: string, project = 'chromium'): UnitRef =>
  makeUnit(`/t/${file}`, '/t', ['Suite', title], project, 1, 1);

const sample = [
  unit('button.spec.ts', 'a'),
  unit('button.spec.ts', 'b'),
  unit('images.spec.ts', 'c'),
  unit('button.spec.ts', 'a', 'firefox'),
  unit('images.spec.ts', 'c', 'firefox'),
];

describe('selectUnits', () => {
  it('keeps every unit when nothing is asked for', () => {
    assert.equal(selectUnits(sample, {}).length, 5);
  });

  it('filters by module and project, comma lists included', () => {
    const chosen = selectUnits(sample, { modules: ['images'], projects: ['firefox'] });
    assert.deepEqual(
      chosen.map((u) => `${u.project}/${u.module}`),
      ['firefox/images'],
    );
  });

  it('names an unknown module, suggests the near one, lists the known ones', () => {
    assert.throws(
      () => selectUnits(sample, { modules: ['buton'] }),
      (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /unknown module "buton" — did you mean "button"\?/);
        assert.match(error.message, /known: button, images/);
        return true;
      },
    );
  });

  it('says how to install the browser of a requested project that is missing', () => {
    const missing = [{ name: 'webkit', message: 'webkit: not installed — npx playwright install webkit' }];
    assert.throws(
      () => selectUnits(sample, { projects: ['webkit'] }, { dropped: missing }),
      /project webkit: not installed — npx playwright install webkit/,
    );
  });

  it('refuses an empty selection', () => {
    assert.throws(() => selectUnits([], {}), /no tests selected/);
  });
});

describe('planBatches', () => {
  const units = Array.from({ length: 40 }, (_, i) =>
    unit(`m${i % 4}.spec.ts`, `t${i}`, i % 2 ? 'firefox' : 'chromium'),
  );
  const durations = new Map(units.map((u, i) => [u.key, 1000 + ((i * 7919) % 13) * 500]));
  const durationOf = (u: UnitRef) => durations.get(u.key)!;

  it('puts every unit in exactly one batch', () => {
    const batches = planBatches(units, { executor: 'local', slots: 3, durationOf });
    const keys = batches.flatMap((b) => b.units.map((u) => u.key));
    assert.equal(keys.length, units.length);
    assert.equal(new Set(keys).size, units.length);
  });

  it('balances batches close to total ÷ slots (longest first)', () => {
    const batches = planBatches(units, { executor: 'local', slots: 4, durationOf });
    const total = units.reduce((sum, u) => sum + durationOf(u), 0);
    const longest = Math.max(...batches.map((b) => b.estimatedMs));
    assert.equal(batches.length, 4);
    assert.ok(longest <= total / 4 + Math.max(...durations.values()), `makespan ${longest} vs ideal ${total / 4}`);
    assert.ok(batches[0]!.estimatedMs >= batches.at(-1)!.estimatedMs, 'longest batch first');
  });

  it('never makes more batches than units, and splits by maxBatchMs', () => {
    assert.equal(planBatches(units.slice(0, 2), { executor: 'local', slots: 8, durationOf }).length, 2);
    const capped = planBatches(units, { executor: 'local', slots: 1, durationOf, maxBatchMs: 10_000 });
    assert.ok(capped.length > 1);
  });

  it('orders a batch by project then file, so each browser launches once', () => {
    const [batch] = planBatches(units, { executor: 'local', slots: 1, durationOf });
    const projects = batch!.units.map((u) => u.project);
    assert.deepEqual(projects, [...projects].sort());
  });
});

describe('testListLine', () => {
  it('is what --test-list selects: project, file, title path', () => {
    assert.equal(
      testListLine(unit('button.spec.ts', 'shows a text', 'firefox')),
      '[firefox] › button.spec.ts › Suite › shows a text',
    );
  });
});

describe('durationEstimator', () => {
  it('uses the median of recorded durations, else the default', () => {
    const [a, b] = sample;
    const estimate = durationEstimator(new Map([[a!.key, [100, 900, 300]]]), 5000);
    assert.equal(estimate(a!), 300);
    assert.equal(estimate(b!), 5000);
  });
});
