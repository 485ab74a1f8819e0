import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifiedBy } from './verified-bases.ts';

const names = ['web', 'api'];

describe('which components a run verified', () => {
  it('all of them for a passing run of the whole suite, none for one that did not pass', () => {
    assert.deepEqual(verifiedBy({ status: 'passed' }, names), names);
    assert.deepEqual(verifiedBy({ status: 'failed' }, names), []);
    assert.deepEqual(
      verifiedBy({ status: 'cancelled', selection: { changedSince: 'abc', components: ['web'] } }, names),
      [],
    );
  });

  it('those a passing --changed run ran, unless something else narrowed it too', () => {
    assert.deepEqual(verifiedBy({ status: 'passed', selection: { changedSince: 'abc', components: ['api'] } }, names), [
      'api',
    ]);
    for (const other of [{ grep: '@smoke' }, { projects: ['chromium'] }, { shard: '1/2' }])
      assert.deepEqual(
        verifiedBy({ status: 'passed', selection: { changedSince: 'abc', components: ['api'], ...other } }, names),
        [],
        JSON.stringify(other),
      );
    assert.deepEqual(verifiedBy({ status: 'passed', selection: { modules: ['checkout'] } }, names), []);
  });
});
