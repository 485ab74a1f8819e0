import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListedTest } from './listing.ts';
import { joinGroups, selectableTitle } from './pieces.ts';

type T = Pick<ListedTest, 'project' | 'file' | 'titlePath' | 'group' | 'locks'>;
const t = (title: string, group: string, over: Partial<T> = {}): T => ({
  project: 'chromium',
  file: 'a.spec.ts',
  titlePath: [title],
  group,
  ...over,
});

describe('joinGroups', () => {
  it("keeps Playwright's groups as they are when nothing joins them", () => {
    const ids = joinGroups([t('a', 'g1'), t('b', 'g1'), t('c', 'g2'), t('d', 'g3')]);
    assert.equal(ids[0], ids[1]);
    assert.equal(new Set(ids).size, 3);
  });

  it('joins the groups of one test repeated (one --test-list line runs every repeat)', () => {
    const ids = joinGroups([t('a', 'r0-a'), t('b', 'r0-b'), t('a', 'r1-a'), t('b', 'r1-b')]);
    assert.equal(ids[0], ids[2]);
    assert.equal(ids[1], ids[3]);
    assert.notEqual(ids[0], ids[1]);
  });

  it('joins groups that share a lock, across files and projects', () => {
    const ids = joinGroups([
      t('a', 'g1', { locks: ['db'] }),
      t('b', 'g2'),
      t('c', 'g3', { file: 'b.spec.ts', project: 'firefox', locks: ['db'] }),
    ]);
    assert.equal(ids[0], ids[2]);
    assert.notEqual(ids[0], ids[1]);
  });

  it('puts a whole file in one piece when one of its titles cannot be named on a --test-list line', () => {
    const ids = joinGroups([t('a › b', 'g1'), t('c', 'g2'), t('d', 'g3', { file: 'other.spec.ts' })]);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[0], ids[2]);
  });
});

describe('selectableTitle', () => {
  it('refuses what Playwright splits or trims away', () => {
    assert.equal(selectableTitle('plain title'), true);
    assert.equal(selectableTitle('a › b'), false);
    assert.equal(selectableTitle(' padded '), false);
    assert.equal(selectableTitle(''), false);
  });
});
