import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../core/errors.ts';
import { makeUnit } from '../playwright/list.ts';
import type { UnitRef } from '../core/model.ts';
import { selectUnits } from './plan.ts';
import { testListLine } from '../playwright/pieces.ts';

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

describe('testListLine', () => {
  it('is what --test-list selects: project, file, title path', () => {
    assert.equal(
      testListLine(unit('button.spec.ts', 'shows a text', 'firefox')),
      '[firefox] › button.spec.ts › Suite › shows a text',
    );
  });
});
