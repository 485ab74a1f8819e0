import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collision, localParallelism } from './local-parallelism.ts';

const none = { webServers: 0, globalSetup: false, globalTeardown: false } as const;

describe('local parallelism', () => {
  it('runs processes side by side when nothing in the suite would collide', () => {
    assert.equal(collision(none, undefined), undefined);
    assert.deepEqual(localParallelism(4, 'auto', undefined), { processes: 4, workersEach: 1 });
  });

  it('names what would collide: a web server, a global setup, setup projects, worker indexes', () => {
    assert.match(collision({ ...none, webServers: 1 }, undefined)!, /webServer/);
    assert.match(collision({ ...none, webServers: 'unknown' }, undefined)!, /could not be read/);
    assert.match(collision({ ...none, globalTeardown: true }, undefined)!, /globalSetup or globalTeardown/);
    assert.match(collision(none, undefined, ['setup'])!, /would run the setup project again/);
    assert.match(collision(none, { where: 'tests/fixtures.ts:3 (parallelIndex)' })!, /fixtures\.ts:3/);
  });

  it('then uses one Playwright process with all the workers, and says why', () => {
    assert.deepEqual(localParallelism(4, 'auto', 'a webServer'), {
      processes: 1,
      workersEach: 4,
      reason: 'a webServer',
    });
  });

  it('does as told when the config says so', () => {
    assert.deepEqual(localParallelism(3, true, 'a webServer'), { processes: 3, workersEach: 1 });
    assert.deepEqual(localParallelism(3, false, undefined), { processes: 1, workersEach: 3 });
  });
});
