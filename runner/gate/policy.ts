// The gate policy, evaluated: every rule with what was measured and the threshold it was held to.
// Pure, so a decision can be explained, tested and recorded exactly as it was made.
import { type RunMeta, type UnitRecord } from '../core/model.ts';
import type { GatePolicy } from '../core/gate-policy.ts';
import { describeSelection, leavesOutTests } from '../core/selection.ts';
import { compareUnits } from '../report/changes.ts';
import { isGood, isPassing } from '../core/statuses.ts';

export interface RuleResult {
  rule: string;
  passed: boolean;
  measured: string;
  threshold: string;
}

export interface GateDecision {
  passed: boolean;
  rules: RuleResult[];
  /** Screenshot changes the approval must decide (policy visualReview): how many units fail visually only. */
  visualReview?: { units: number };
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

type Rules = RuleResult[];
const rule = (name: string, passed: boolean, measured: string, threshold: string): RuleResult => ({
  rule: name,
  passed,
  measured,
  threshold,
});
const named = (units: readonly UnitRecord[]) =>
  units.slice(0, 3).map((u) => `[${u.project}] ${u.titlePath.join(' › ')}`);

export function evaluatePolicy(
  policy: GatePolicy,
  run: RunMeta,
  units: readonly UnitRecord[],
  lastApproved?: readonly UnitRecord[],
): GateDecision {
  // Under visual review, a unit failing for nothing but its screenshots waits for a person, not the gate.
  const inReview = policy.visualReview ? units.filter(failsVisuallyOnly) : [];
  const judged = inReview.length ? units.filter((unit) => !failsVisuallyOnly(unit)) : units;
  const rules: Rules = [
    rule('run finished', run.status !== 'running', run.status, 'not running'),
    ...coverageRules(policy, run, units),
    ...countRules(policy, judged, units),
    ...comparisonRules(policy, judged, lastApproved),
    ...(policy.componentsVerified ? [componentsRule(run)] : []),
    ...(policy.visualReview ? [visualRule(units)] : []),
  ];
  if (policy.maxDurationMinutes !== undefined) {
    const minutes = (run.durationMs ?? 0) / 60_000;
    rules.push(
      rule(
        'run duration',
        minutes <= policy.maxDurationMinutes,
        `${minutes.toFixed(1)} min`,
        `≤ ${policy.maxDurationMinutes} min`,
      ),
    );
  }
  return {
    passed: rules.every((r) => r.passed),
    rules,
    ...(policy.visualReview && units.some(withScreenshotChanges)
      ? { visualReview: { units: units.filter(withScreenshotChanges).length } }
      : {}),
  };
}

const failsVisuallyOnly = (unit: UnitRecord) => unit.status === 'failed' && unit.visualOnly === true;
/** A failed unit with screenshot changes: each is decided in the approval, whatever else failed with it. */
const withScreenshotChanges = (unit: UnitRecord) => unit.status === 'failed' && Boolean(unit.visual?.length);

/** Says what the approval will have to decide: how many screenshot changes, in which browsers, how many new. */
function visualRule(units: readonly UnitRecord[]): RuleResult {
  const changes = units
    .filter(withScreenshotChanges)
    .flatMap((unit) => (unit.visual ?? []).map((change) => ({ ...change, project: unit.project })));
  const projects = [...new Set(changes.map((change) => change.project))].sort();
  const fresh = changes.filter((change) => change.kind === 'new').length;
  const measured = changes.length
    ? `${changes.length} in ${projects.join(', ')}${fresh ? `, ${fresh} new` : ''}: decided in the approval`
    : 'none';
  return rule('visual changes', true, measured, 'each accepted or rejected before approval');
}

/** Judges the browsers and modules the run must cover, and whether it left tests out. */
function coverageRules(policy: GatePolicy, run: RunMeta, units: readonly UnitRecord[]): Rules {
  const rules: Rules = [];
  for (const project of policy.requiredProjects ?? []) {
    const mine = units.filter((u) => u.project === project).length;
    rules.push(rule(`covers browser ${project}`, mine > 0, `${mine} units`, 'at least 1'));
  }
  for (const module of policy.requiredModules ?? []) {
    const mine = units.filter((u) => u.module === module).length;
    rules.push(rule(`covers module ${module}`, mine > 0, `${mine} units`, 'at least 1'));
  }
  if (policy.wholeSuite ?? true) {
    const narrowed = leavesOutTests(run.selection);
    rules.push(
      rule(
        'whole suite',
        !narrowed,
        narrowed ? `narrowed: ${describeSelection(run.selection)}` : 'every test',
        'every test',
      ),
    );
  }
  return rules;
}

/**
 * Judges failures, pass rates per browser and flaky passes. `all` includes the units in visual
 * review: pass rates count them as passing, as the approval will (or will reject the release).
 */
function countRules(policy: GatePolicy, units: readonly UnitRecord[], all: readonly UnitRecord[] = units): Rules {
  const failures = units.filter((unit) => !isGood(unit.status)).length;
  const judged = new Set(units);
  const good = (unit: UnitRecord) => isGood(unit.status) || !judged.has(unit);
  const maxFailures = policy.maxFailures ?? 0;
  const rules: Rules = [rule('failures', failures <= maxFailures, String(failures), `≤ ${maxFailures}`)];
  if (policy.minPassRate !== undefined) {
    for (const project of [...new Set(all.map((unit) => unit.project))].sort()) {
      const threshold = typeof policy.minPassRate === 'number' ? policy.minPassRate : policy.minPassRate[project];
      if (threshold === undefined) continue;
      const mine = all.filter((unit) => unit.project === project);
      const rate = mine.length ? mine.filter(good).length / mine.length : 0;
      rules.push(rule(`pass rate ${project}`, rate >= threshold, pct(rate), `≥ ${pct(threshold)}`));
    }
  }
  const flaky = units.filter((unit) => unit.status === 'flaky').length;
  if (policy.allowFlaky === false) rules.push(rule('flaky passes', flaky === 0, String(flaky), 'none allowed'));
  else if (policy.maxFlaky !== undefined)
    rules.push(rule('flaky passes', flaky <= policy.maxFlaky, String(flaky), `≤ ${policy.maxFlaky}`));
  return rules;
}

/** Judges the run against the last approved one: no new failures (core/statuses.ts), no lost tests. */
function comparisonRules(
  policy: GatePolicy,
  units: readonly UnitRecord[],
  lastApproved: readonly UnitRecord[] | undefined,
): Rules {
  const rules: Rules = [];
  const nothing = 'no approved run to compare with';
  if (policy.noNewFailures ?? true) {
    if (!lastApproved) rules.push(rule('no new failures', true, nothing, 'none new'));
    else {
      const fresh = compareUnits(units, lastApproved).newFailures.map((key) => units.find((unit) => unit.key === key)!);
      rules.push(
        rule(
          'no new failures',
          fresh.length === 0,
          `${fresh.length} new${fresh.length ? `: ${named(fresh).join('; ')}` : ''}`,
          'none new',
        ),
      );
    }
  }
  if (policy.noLostTests) {
    if (!lastApproved) rules.push(rule('no lost tests', true, nothing, 'none lost'));
    else {
      const now = new Map(units.map((unit) => [unit.key, unit.status]));
      const lost = lastApproved.filter(
        (unit) => isPassing(unit.status) && (now.get(unit.key) ?? 'skipped') === 'skipped',
      );
      const said = named(lost).map((name, i) => `${name} (${now.has(lost[i]!.key) ? 'skipped now' : 'gone'})`);
      rules.push(
        rule(
          'no lost tests',
          lost.length === 0,
          `${lost.length} lost${said.length ? `: ${said.join('; ')}` : ''}`,
          'none lost',
        ),
      );
    }
  }
  return rules;
}

/** Judges whether every component changed since the live release was tested, and passed, with its change. */
function componentsRule(run: RunMeta): RuleResult {
  const name = 'components verified';
  const threshold = 'a passing run containing each changed component’s newest change';
  const since = run.sinceRelease;
  if (!since)
    return rule(name, false, 'not worked out: components in uigate.config.ts, and a run in a git clone', threshold);
  if (since.unknown) return rule(name, false, `cannot tell: ${since.unknown}`, threshold);
  const open = since.components.filter((component) => component.state !== 'passed');
  const from = since.release ? `since release ${since.release.releaseId}` : 'nothing released yet';
  if (since.components.length === 0) return rule(name, true, `${from}: no component changed`, threshold);
  const said = since.components.map(
    (c) =>
      `${c.name} ${c.state === 'never run' ? 'never run' : c.state}${c.runId ? ` (run ${c.runId})` : ''} since ${c.lastChange.slice(0, 12)}`,
  );
  return rule(name, open.length === 0, `${from}: ${said.join('; ')}`, threshold);
}

/** Writes the decision as lines a person reads: one per rule. */
export function formatDecision(decision: GateDecision): string {
  const lines = decision.rules.map(
    (rule) => `  ${rule.passed ? '✓' : '✘'} ${rule.rule}: ${rule.measured} (needs ${rule.threshold})`,
  );
  return [`gate: ${decision.passed ? 'PASSED' : 'FAILED'}`, ...lines].join('\n');
}
