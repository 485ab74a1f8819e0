// What uigate learns from `playwright test --list` with its list reporter: every test with the
// group Playwright would keep it in, the projects and how they depend on each other, and what
// runs once per Playwright process. Types and pure helpers only: the list reporter loads this.
import { ENV } from '../core/env.ts';

/** A test as Playwright would run it, in one project and one repeat. */
export interface ListedTest {
  project: string;
  /** Path from the config's rootDir (its testDir), forward slashes: what --test-list matches. */
  file: string;
  /** describe titles and the test title; not the file or the project. */
  titlePath: string[];
  line: number;
  column: number;
  tags: string[];
  /** Playwright's repeatEachIndex (repeatEach in the config, or --repeat-each). */
  repeat: number;
  /**
   * Playwright's own test group (runner/testGroups.ts): tests that must run in one worker, in
   * order. Same string, same group.
   */
  group: string;
  /** Named locks (`test.describe(…, { lock })`): tests sharing one never run at the same time. */
  locks?: string[];
  /** Present when some test or suite is focused with `.only`: whether Playwright would run this one. */
  focused?: boolean;
}

export interface ListedProject {
  name: string;
  /** Absolute. */
  testDir: string;
  /** Projects that must run before this one (`dependencies`). */
  dependencies: string[];
  /** The project that cleans up after this one (`teardown`). */
  teardown?: string;
  /** `use.browserName`; undefined means Playwright's default (chromium) or no browser at all. */
  browserName?: string;
}

export interface Listing {
  playwrightVersion: string;
  /** config.rootDir: the config's testDir, or its folder. */
  rootDir: string;
  configFile?: string;
  /** Playwright's resolved `workers`. */
  workers: number;
  forbidOnly: boolean;
  /** What every Playwright process does once, before and after its tests. */
  processSetup: ProcessSetup;
  /** 'playwright': groups are Playwright's own; 'file': its internals were not readable, so whole files (always safe). */
  grouping: 'playwright' | 'file';
  projects: ListedProject[];
  tests: ListedTest[];
  /** Projects whose browser is not installed, each with how to install it. */
  missingBrowsers: { project: string; message: string }[];
  /** A `.only` was found: only focused tests run (Playwright's semantics). */
  focused: boolean;
  /** What Playwright reported instead of tests (a config that does not load, no tests found). */
  errors?: string[];
}

export interface ProcessSetup {
  /** config.webServer entries; 'unknown' when Playwright's config could not be read that far. */
  webServers: number | 'unknown';
  globalSetup: boolean;
  globalTeardown: boolean;
}

/** Where uigate's opt-in browser helper (browsers.ts) leaves the projects it dropped, for the list reporter in the same process. */
export const MISSING_BROWSERS = Symbol.for('uigate.missingBrowsers');

/** The environment variable the list reporter reads for where to write the listing. */
export const LIST_FILE_ENV = ENV.listFile;
/** The `--project` names uigate was asked for (JSON array), for `.only`'s semantics. */
export const LIST_PROJECTS_ENV = ENV.listProjects;

/** Playwright's `--project` matching (runner/projectUtils.ts filterProjects): case-insensitive, `*` wildcards. */
export function matchesProjectFilter(name: string, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  const lower = name.toLocaleLowerCase();
  return filters.some((filter) => {
    const wanted = filter.toLocaleLowerCase();
    if (!wanted.includes('*')) return wanted === lower;
    const pattern = wanted
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${pattern}$`, 'i').test(lower);
  });
}

/**
 * Playwright's project closure (runner/projectUtils.ts buildProjectsClosure): the projects asked
 * for are top-level, and everything they depend on or are torn down by is a dependency — even a
 * project that was also asked for.
 */
export function projectClosure(
  projects: readonly Pick<ListedProject, 'name' | 'dependencies' | 'teardown'>[],
  topLevel: readonly string[],
): Map<string, 'top-level' | 'dependency'> {
  const byName = new Map(projects.map((project) => [project.name, project]));
  const result = new Map<string, 'top-level' | 'dependency'>();
  const visit = (depth: number, name: string) => {
    if (depth > 100) throw new Error('Circular dependency detected between projects.');
    const project = byName.get(name);
    if (!project) return;
    if (result.get(name) !== 'dependency') result.set(name, depth ? 'dependency' : 'top-level');
    for (const dependency of project.dependencies) visit(depth + 1, dependency);
    if (project.teardown) visit(depth + 1, project.teardown);
  };
  for (const name of topLevel) visit(0, name);
  return result;
}
