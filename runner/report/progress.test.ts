import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wantsColor } from './progress.ts';

describe('colours, as Node and Playwright decide them', () => {
  it('follows FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    const cases: [Record<string, string>, boolean, boolean][] = [
      [{}, true, true],
      [{}, false, false],
      [{ NO_COLOR: '1' }, true, false],
      [{ NO_COLOR: '' }, true, true],
      [{ FORCE_COLOR: '1' }, false, true],
      [{ FORCE_COLOR: '0' }, true, false],
      [{ FORCE_COLOR: 'false' }, true, false],
      [{ FORCE_COLOR: '2', NO_COLOR: '1' }, false, true],
    ];
    for (const [env, tty, expected] of cases) assert.equal(wantsColor(env, tty), expected, JSON.stringify([env, tty]));
  });
});
