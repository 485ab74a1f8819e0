import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleOf, unitsFromListing } from './list.ts';
import type { ListedTest } from './listing.ts';
import { unitKey } from './unit-key.ts';

const test = (over: Partial<ListedTest>): ListedTest => ({
  project: 'chromium',
  file: 'shop/cart.spec.ts',
  titlePath: ['t'],
  line: 1,
  column: 1,
  tags: [],
  repeat: 0,
  group: 'g',
  ...over,
});

describe('unitsFromListing', () => {
  const units = unitsFromListing({
    rootDir: '/p/tests',
    tests: [
      test({ titlePath: ['top level'], line: 3, group: 'chromium-file' }),
      test({
        titlePath: ['Cart', 'empty', 'shows a hint'],
        line: 9,
        column: 5,
        tags: ['@module-checkout'],
        group: 'chromium-file',
      }),
      test({
        project: 'firefox',
        titlePath: ['Cart', 'empty', 'shows a hint'],
        line: 9,
        column: 5,
        tags: ['@module-checkout'],
        group: 'firefox-file',
      }),
    ],
  });

  it('makes one unit per test per project, keeping describe titles (not the file) in the title path', () => {
    assert.deepEqual(
      units.map((u) => u.project),
      ['chromium', 'chromium', 'firefox'],
    );
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

  it('puts the tests of one Playwright group in one piece, and other groups in others', () => {
    assert.equal(units[0]!.group, units[1]!.group);
    assert.notEqual(units[1]!.group, units[2]!.group);
  });

  it('keys each repeat of a test apart, the first keeping the key it had without repeats', () => {
    const [first, second] = unitsFromListing({
      rootDir: '/p',
      tests: [test({ repeat: 0, group: 'a' }), test({ repeat: 1, group: 'b' })],
    });
    assert.equal(first!.key, unitKey('shop/cart.spec.ts', ['t'], 'chromium'));
    assert.notEqual(first!.key, second!.key);
    assert.equal(second!.repeat, 1);
    // One --test-list line selects both repeats, so they are one piece.
    assert.equal(first!.group, second!.group);
  });
});

describe('moduleOf', () => {
  it('strips spec, test and setup suffixes', () => {
    assert.equal(moduleOf('button.spec.ts'), 'button');
    assert.equal(moduleOf('a/b.test.mjs'), 'a/b');
    assert.equal(moduleOf('auth.setup.ts'), 'auth');
    assert.equal(moduleOf('plain.ts'), 'plain');
  });
});
