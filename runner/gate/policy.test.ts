import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUnit } from '../playwright/list.ts';
import type { RunMeta, UnitRecord, UnitStatus } from '../core/model.ts';
import { evaluatePolicy, formatDecision } from './policy.ts';

const run = { runId: 'r', status: 'failed', durationMs: 12 * 60_000 } as RunMeta;
const unit = (title: string, status: UnitStatus, project = 'chromium', module = 'checkout'): UnitRecord => ({
  ...makeUnit(`/t/${module}.spec.ts`, '/t', [title], project, 1, 1),
  runId: 'r',
  status,
  seq: 1000,
  attempt: 1,
});
const units = [
  unit('a', 'passed'),
  unit('b', 'flaky'),
  unit('c', 'failed'),
  unit('a', 'passed', 'firefox'),
  unit('b', 'passed', 'firefox'),
];
const rule = (decision: ReturnType<typeof evaluatePolicy>, name: string) =>
  decision.rules.find((r) => r.rule === name)!;

describe('evaluatePolicy', () => {
  it('fails on any failure by default, and says what it measured against what', () => {
    const decision = evaluatePolicy({}, run, units);
    assert.equal(decision.passed, false);
    assert.deepEqual(rule(decision, 'failures'), { rule: 'failures', passed: false, measured: '1', threshold: '≤ 0' });
  });

  it('checks pass rates per browser numerically, flaky counting as passed', () => {
    const decision = evaluatePolicy({ maxFailures: 1, minPassRate: { chromium: 0.6, firefox: 1 } }, run, units);
    assert.deepEqual(rule(decision, 'pass rate chromium'), {
      rule: 'pass rate chromium',
      passed: true,
      measured: '66.7%',
      threshold: '≥ 60.0%',
    });
    assert.equal(rule(decision, 'pass rate firefox').passed, true);
  });

  it('holds flaky passes, coverage and duration to their limits', () => {
    const decision = evaluatePolicy(
      {
        maxFailures: 5,
        allowFlaky: false,
        requiredProjects: ['chromium', 'webkit'],
        requiredModules: ['checkout'],
        maxDurationMinutes: 10,
      },
      run,
      units,
    );
    assert.equal(rule(decision, 'flaky passes').passed, false);
    assert.equal(rule(decision, 'covers browser webkit').passed, false);
    assert.equal(rule(decision, 'covers module checkout').passed, true);
    assert.deepEqual(rule(decision, 'run duration'), {
      rule: 'run duration',
      passed: false,
      measured: '12.0 min',
      threshold: '≤ 10 min',
    });
  });

  it('finds failures that are new since the last approved run', () => {
    const approved = [unit('a', 'passed'), unit('c', 'passed'), unit('a', 'passed', 'firefox')];
    const decision = evaluatePolicy({ maxFailures: 5 }, run, units, approved);
    assert.equal(rule(decision, 'no new failures').passed, false);
    assert.match(rule(decision, 'no new failures').measured, /^1 new: \[chromium\] c$/);
  });

  it('with noLostTests, names tests that passed in the last approved run and are gone or skipped now', () => {
    const approved = [
      unit('a', 'passed'),
      unit('b', 'flaky'),
      unit('d', 'passed'),
      unit('e', 'skipped'),
      unit('a', 'passed', 'firefox'),
    ];
    const now = [unit('a', 'passed'), unit('b', 'skipped'), unit('e', 'skipped'), unit('a', 'passed', 'firefox')];
    assert.equal(
      evaluatePolicy({}, run, now, approved).rules.some((r) => r.rule === 'no lost tests'),
      false,
      'off by default',
    );
    const decision = evaluatePolicy({ noLostTests: true }, run, now, approved);
    assert.deepEqual(rule(decision, 'no lost tests'), {
      rule: 'no lost tests',
      passed: false,
      measured: '2 lost: [chromium] b (skipped now); [chromium] d (gone)',
      threshold: 'none lost',
    });
    assert.equal(
      rule(evaluatePolicy({ noLostTests: true }, run, approved, approved), 'no lost tests').passed,
      true,
      'a test skipped then and now is not lost',
    );
  });

  it('refuses a run that left tests out, naming how, unless the policy allows it', () => {
    const passed = { ...run, status: 'passed' } as RunMeta;
    const narrowed = evaluatePolicy({}, { ...passed, selection: { modules: ['checkout'], grep: '@smoke' } }, [
      unit('a', 'passed'),
    ]);
    assert.equal(narrowed.passed, false);
    assert.deepEqual(rule(narrowed, 'whole suite'), {
      rule: 'whole suite',
      passed: false,
      measured: 'narrowed: --module checkout --grep @smoke',
      threshold: 'every test',
    });
    assert.match(
      rule(evaluatePolicy({}, { ...passed, selection: { unseen: true } }, []), 'whole suite').measured,
      /npx playwright test \(its filters are not visible\)/,
    );
    assert.equal(rule(evaluatePolicy({}, { ...passed, selection: { shard: '1/4' } }, []), 'whole suite').passed, false);
    assert.equal(
      rule(evaluatePolicy({}, { ...passed, selection: { rerunOf: '20261122T185625123Z-k3f9' } }, []), 'whole suite')
        .measured,
      'narrowed: --rerun-failed 20261122T185625123Z-k3f9',
      'a re-run of the failures is not the suite',
    );
    // Browsers are requiredProjects' business: --project alone leaves no test out.
    assert.equal(
      rule(evaluatePolicy({}, { ...passed, selection: { projects: ['chromium'] } }, []), 'whole suite').passed,
      true,
    );
    assert.equal(
      evaluatePolicy({ wholeSuite: false }, { ...passed, selection: { grep: '@smoke' } }, [unit('a', 'passed')]).passed,
      true,
    );
  });

  it('prints one line per rule', () => {
    const text = formatDecision(evaluatePolicy({}, { ...run, status: 'passed' }, [unit('a', 'passed')]));
    assert.match(
      text,
      /^gate: PASSED\n {2}✓ run finished: passed \(needs not running\)\n {2}✓ whole suite: every test \(needs every test\)\n {2}✓ failures: 0 \(needs ≤ 0\)/,
    );
  });
});
