import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../config/config.ts';
import type { ExecutorName } from '../core/model.ts';
import type { Executor } from '../executors/executor.ts';
import { makeUnit } from '../playwright/list.ts';
import type { SizedPiece } from '../plan/queue.ts';
import { assignPieces } from './executor-plan.ts';

const executor = (name: ExecutorName, capacity: number, browsers?: string[]): Executor => ({
  name,
  capacity,
  supports: (browser) => !browsers || browsers.includes(browser),
  run: async () => [],
});
const pieces: SizedPiece[] = [
  ...Array.from({ length: 40 }, (_, i) => ({
    units: [makeUnit(`/t/c${i}.spec.ts`, '/t', ['c'], 'chromium', 1, 1)],
    ms: 60_000,
    uncertainty: 0,
  })),
  { units: [makeUnit('/t/f.spec.ts', '/t', ['f'], 'firefox', 1, 1)], ms: 60_000, uncertainty: 0 },
];
const config = resolveConfig({ dispatch: { deadline: '20m' } }, '/t', {});
const context = { config, browserOf: (project: string) => project };

describe('where pieces run', () => {
  it('with Lambda and CodeBuild, splits by time and cost and says the plan, its finish and cost before starting', () => {
    const lambda = executor('lambda', 10, ['chromium']);
    const codebuild = executor('codebuild', 10);
    const earliest = assignPieces(pieces, [lambda, codebuild], {
      ...context,
      deadline: undefined,
      config: resolveConfig({}, '/t', {}),
    });
    assert.match(
      earliest.said!,
      /^plan: lambda \d+ pieces \([\d.]+ min, \$[\d.]+\), codebuild \d+ pieces .*; expected to finish in [\d.]+ min at about \$[\d.]+ \(AWS us-east-1 on-demand prices\)$/,
    );
    assert.ok(earliest.assigned.get(codebuild)!.some((unit) => unit.project === 'firefox'));
    const cheap = assignPieces(pieces, [lambda, codebuild], context);
    assert.match(cheap.said!, /deadline 20\.0 min met$/);
    assert.deepEqual(
      cheap.assigned.get(codebuild)!.map((unit) => unit.project),
      ['firefox'],
      'a loose deadline keeps every chromium piece on the cheaper Lambda',
    );
    assert.throws(
      () => assignPieces(pieces, [lambda, codebuild], { ...context, deadline: 'soon' }),
      /--deadline "soon" is not a duration/,
    );
  });

  it('otherwise gives each piece to the first executor that runs its browsers, and says nothing', () => {
    const lambda = executor('lambda', 10, ['chromium']);
    const local = executor('local', 2);
    const { assigned, said } = assignPieces(pieces, [lambda, local], context);
    assert.equal(said, undefined);
    assert.equal(assigned.get(lambda)!.length, 40);
    assert.equal(assigned.get(local)!.length, 1);
  });
});
