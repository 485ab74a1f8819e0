// From Playwright's view of a test (TestCase, TestResult) to uigate's unit record. Pure, so the
// status rules can be tested without running a browser.
import type { TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { makeUnit, stripAnsi } from './list.ts';
import type { AttemptRecord, UnitError, UnitRef, UnitStatus } from '../core/model.ts';

/**
 * The unit a test is: its file from the config's rootDir (as uigate's listing has it), its
 * repeat, and `dependency` when its project only runs for others (`dependencyProjects`).
 */
export function unitOf(test: TestCase, rootDir: string, dependencyProjects: ReadonlySet<string> = new Set()): UnitRef {
  const project = test.parent.project()?.name ?? '';
  const titlePath = test.titlePath().slice(3); // '', project, file
  const unit = makeUnit(
    test.location.file,
    rootDir,
    titlePath,
    project,
    test.location.line,
    test.location.column,
    test.tags,
    test.repeatEachIndex,
  );
  return dependencyProjects.has(project) ? { ...unit, role: 'dependency' } : unit;
}

/**
 * A unit's status once an attempt ends. A failure with retries left is `retrying`, not final;
 * an interrupted attempt (Ctrl-C, a stopped batch) is left for the orchestrator to settle.
 */
export function statusAfter(
  test: Pick<TestCase, 'outcome' | 'retries'>,
  result: Pick<TestResult, 'status' | 'retry'>,
): UnitStatus | undefined {
  if (result.status === 'interrupted') return undefined;
  switch (test.outcome()) {
    case 'skipped':
      return 'skipped';
    case 'expected':
      return 'passed';
    case 'flaky':
      return 'flaky';
    case 'unexpected':
      return result.retry < test.retries ? 'retrying' : 'failed';
  }
}

export function errorOf(error: TestError | undefined): UnitError | undefined {
  if (!error) return undefined;
  const message = stripAnsi(error.message ?? error.value ?? 'unknown error');
  const stack = error.stack ? stripAnsi(error.stack) : undefined;
  return { message, stack };
}

export function attemptOf(result: TestResult): AttemptRecord {
  const status = result.status;
  return {
    attempt: result.retry + 1,
    status,
    durationMs: result.duration,
    error: errorOf(result.error) && { message: errorOf(result.error)!.message },
  };
}
