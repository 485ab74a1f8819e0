// The planner's choice of executor by time and cost, on small inputs: no timing, only its decisions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import { codeBuildCost, codeBuildExpectedCost, lambdaCost } from './cost.ts';
import { planMix, type MixExecutor } from './executor-mix.ts';
import type { SizedPiece } from './queue.ts';

const MIN = 60_000;
let n = 0;
const piece = (ms: number, project = 'chromium'): SizedPiece => ({
  units: [makeUnit(`/t/p${n}.spec.ts`, '/t', [`t${n++}`], project, 1, 1)],
  ms,
  uncertainty: 0,
});
const lambda = (slots: number): MixExecutor => ({
  name: 'lambda',
  slots,
  workersEach: 1,
  startMs: 4_000,
  maxPieceMs: 15 * MIN * 0.6,
  supports: (browser) => browser === 'chromium',
  batchCost: (ms) => lambdaCost(ms, 2048),
});
const codebuild = (slots: number, workersEach = 4): MixExecutor => ({
  name: 'codebuild',
  slots,
  workersEach,
  startMs: 90_000,
  supports: () => true,
  batchCost: (ms) => codeBuildExpectedCost(ms),
});
const shareOf = (plan: ReturnType<typeof planMix>, name: string) => plan.shares.find((s) => s.executor === name);

describe('choosing executors by time and cost', () => {
  it('fills Lambda up to its concurrency, and spills to CodeBuild what would make Lambda finish later', () => {
    const pieces = Array.from({ length: 400 }, () => piece(MIN));
    const wide = planMix(pieces, [lambda(200), codebuild(20)]);
    assert.equal(shareOf(wide, 'codebuild'), undefined, 'Lambda at 200 finishes 400 minutes of work first');
    const narrow = planMix(pieces, [lambda(10), codebuild(20)]);
    const spilled = shareOf(narrow, 'codebuild')!;
    assert.ok(spilled.pieces > 200, `a new account's 10 at once spills most to CodeBuild (${spilled.pieces})`);
    assert.ok(narrow.finishMs < planMix(pieces, [lambda(10)]).finishMs, 'and finishes sooner than Lambda alone');
  });

  it('keeps a piece that could pass Lambda’s 15-minute limit off Lambda, and firefox on CodeBuild', () => {
    const long = piece(12 * MIN);
    const firefox = piece(MIN, 'firefox');
    const plan = planMix([long, firefox, piece(MIN)], [lambda(200), codebuild(2)]);
    const on = (p: SizedPiece) => [...plan.assigned].find(([, list]) => list.includes(p))![0].name;
    assert.equal(on(long), 'codebuild');
    assert.equal(on(firefox), 'codebuild');
    assert.throws(() => planMix([long], [lambda(200)]), /expected to take 12 min, past what lambda may run at once/);
  });

  it('meets a deadline at least cost: cheap Lambda while it meets it, CodeBuild only for what it cannot', () => {
    const pieces = Array.from({ length: 100 }, () => piece(MIN));
    const fastest = planMix(pieces, [lambda(10), codebuild(20)]);
    const loose = planMix(pieces, [lambda(10), codebuild(20)], { deadlineMs: 12 * MIN });
    assert.equal(loose.deadline?.met, true);
    assert.equal(shareOf(loose, 'codebuild'), undefined, 'Lambda alone meets 12 minutes, and costs less');
    assert.ok(loose.costUsd < fastest.costUsd);
    const tight = planMix(pieces, [lambda(10), codebuild(20)], { deadlineMs: 6 * MIN });
    assert.equal(tight.deadline?.met, true);
    assert.ok(shareOf(tight, 'codebuild')!.pieces > 0);
    const impossible = planMix(pieces, [lambda(10), codebuild(20)], { deadlineMs: MIN });
    assert.equal(impossible.deadline?.met, false, 'said, not hidden');
  });

  it('keeps work on the cheaper Lambda when CodeBuild’s longest piece sets the end anyway: its minutes are not free', () => {
    // CodeBuild must take the firefox work, and its 8-minute piece sets its end; chromium could
    // ride along in the builds' last part-minutes without ending later, but builds do not end on
    // the planned minute, and each minute more costs.
    const firefox = [piece(8 * MIN, 'firefox'), ...Array.from({ length: 80 }, () => piece(5 * MIN, 'firefox'))];
    const chromium = Array.from({ length: 40 }, () => piece(MIN));
    const plan = planMix([...firefox, ...chromium], [lambda(200), codebuild(20)]);
    assert.equal(shareOf(plan, 'codebuild')!.pieces, firefox.length, 'only what Lambda cannot run');
    assert.equal(shareOf(plan, 'lambda')!.pieces, chromium.length);
  });

  it('prices a run from AWS’s public prices: GB-seconds and requests, whole build minutes', () => {
    assert.equal(lambdaCost(1000, 1024).toFixed(9), (0.0000166667 + 0.0000002).toFixed(9));
    assert.equal(codeBuildCost(61_000), 0.02);
    // Planned: the minutes themselves, and half a minute a build for the rounding.
    assert.equal(codeBuildExpectedCost(90_000), 0.02);
  });
});
