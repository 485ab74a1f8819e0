import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleOf, unitsFromListReport, type ListReport } from './list.ts';
import { unitKey } from '../model.ts';

const report: ListReport = {
  config: { rootDir: '/p/tests', projects: [{ name: 'chromium', testDir: '/p/tests' }, { name: 'firefox', testDir: '/p/tests' }] },
  suites: [
    {
      title: 'shop/cart.spec.ts',
      file: 'shop/cart.spec.ts',
      specs: [{ title: 'top level', file: 'shop/cart.spec.ts', line: 3, column: 1, tags: [], tests: [{ projectName: 'chromium' }] }],
      suites: [
        {
          title: 'Cart',
          file: 'shop/cart.spec.ts',
          suites: [
            {
              title: 'empty',
              file: 'shop/cart.spec.ts',
              specs: [
                { title: 'shows a hint', file: 'shop/cart.spec.ts', line: 9, column: 5, tags: ['@module-checkout'], tests: [{ projectName: 'chromium' }, { projectName: 'firefox' }] },
              ],
            },
          ],
        },
      ],
    },
  ],
};

describe('unitsFromListReport', () => {
  const units = unitsFromListReport(report);

  it('makes one unit per test per project', () => {
    assert.equal(units.length, 3);
    assert.deepEqual(units.map((u) => u.project), ['chromium', 'chromium', 'firefox']);
  });

  it('keeps describe titles, not the file, in the title path', () => {
    assert.deepEqual(units[1]!.titlePath, ['Cart', 'empty', 'shows a hint']);
    assert.equal(units[1]!.file, 'shop/cart.spec.ts');
    assert.equal(units[1]!.line, 9);
  });

  it('gives stable keys that differ per project', () => {
    assert.equal(units[1]!.key, unitKey('shop/cart.spec.ts', ['Cart', 'empty', 'shows a hint'], 'chromium'));
    assert.notEqual(units[1]!.key, units[2]!.key);
    assert.match(units[1]!.key, /^[A-Za-z0-9_-]{22}$/);
  });

  it('groups by file unless a @module- tag regroups', () => {
    assert.equal(units[0]!.module, 'shop/cart');
    assert.equal(units[1]!.module, 'checkout');
  });
});

describe('moduleOf', () => {
  it('strips spec and test suffixes', () => {
    assert.equal(moduleOf('button.spec.ts'), 'button');
    assert.equal(moduleOf('a/b.test.mjs'), 'a/b');
    assert.equal(moduleOf('plain.ts'), 'plain');
  });
});
