import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import { unitsForChange } from './changed-units.ts';

const unit = (file: string, title: string, tags: string[] = []) => ({
  ...makeUnit(`/repo/e2e/${file}`, '/repo/e2e', [title], 'chromium', 1, 1),
  tags,
});

describe('the tests a change needs', () => {
  const units = [
    unit('cart.spec.ts', 'adds', ['@web']),
    unit('price.spec.ts', 'prices', ['@api']),
    unit('api-orders.spec.ts', 'orders'),
    unit('docs.spec.ts', 'links'),
  ];
  const components = {
    web: { paths: ['apps/web/**'], tests: { grep: '@web' } },
    api: { paths: ['services/api/**'], tests: { grep: '@api', modules: ['api-*'] } },
  };
  const titles = (chosen: { titlePath: string[] }[]) => chosen.map((u) => u.titlePath.at(-1));

  it("takes a touched component's tests by its grep and its modules", () => {
    assert.deepEqual(titles(unitsForChange(units, { components: ['api'], files: [] }, components, '/repo/e2e')), [
      'prices',
      'orders',
    ]);
  });

  it('takes a test file the change edited, and the tests that always run', () => {
    const chosen = unitsForChange(
      units,
      { components: [], files: ['/repo/e2e/docs.spec.ts'], always: { grep: '@web' } },
      components,
      '/repo/e2e',
    );
    assert.deepEqual(titles(chosen), ['adds', 'links']);
  });
});
