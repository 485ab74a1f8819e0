// The reporter uigate lists tests with (`playwright test --list --reporter <this>`): it writes
// the listing (listing.ts) to the file named by UIGATE_LIST_FILE. Beyond what the JSON reporter
// says, it reads the groups Playwright keeps together — serial suites, default-mode files,
// parallel tests — from the same fields Playwright's runner groups by (runner/testGroups.ts),
// so uigate never dispatches part of one. Node built-ins only: it loads inside the user's Playwright.
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, sep } from 'node:path';
import type { FullConfig, FullProject, Reporter, Suite, TestCase, TestError } from '@playwright/test/reporter';
import {
  LIST_FILE_ENV,
  LIST_PROJECTS_ENV,
  MISSING_BROWSERS,
  matchesProjectFilter,
  projectClosure,
  type ListedProject,
  type ListedTest,
  type Listing,
} from './listing.ts';

/** The fields of Playwright's own Suite and TestCase that its runner groups by; absent on a version that moved them. */
interface InternalSuite {
  _parallelMode?: 'none' | 'default' | 'serial' | 'parallel';
  _hooks?: { type: string }[];
  _only?: boolean;
  parent?: Suite;
}
interface InternalTest {
  _workerHash?: string;
  _requireFile?: string;
  _only?: boolean;
  _locks?: string[];
}

const internal = (suite: Suite) => suite as unknown as InternalSuite;
const internalTest = (test: TestCase) => test as unknown as InternalTest;

/** Whether this Playwright exposes what its own grouping reads; if not, uigate keeps whole files together. */
function readable(tests: readonly TestCase[]): boolean {
  return tests.every((test) => {
    const t = internalTest(test);
    if (typeof t._workerHash !== 'string' || typeof t._requireFile !== 'string') return false;
    for (let parent: Suite | undefined = test.parent; parent; parent = parent.parent) {
      const p = internal(parent);
      if (typeof p._parallelMode !== 'string' || !Array.isArray(p._hooks)) return false;
    }
    return true;
  });
}

/**
 * Each test's group, as Playwright's createTestGroups forms them: per worker hash and file, one
 * general group for tests outside parallel suites; inside a parallel suite, one group per
 * outermost serial/default suite, else one per test. Parallel tests under beforeAll/afterAll
 * hooks Playwright splits by worker count; any split is allowed, so each is its own group here.
 */
function playwrightGroups(projectSuite: Suite): Map<TestCase, string> {
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const idOf = (thing: object) => {
    let id = ids.get(thing);
    if (id === undefined) ids.set(thing, (id = nextId++));
    return id;
  };
  const groups = new Map<TestCase, string>();
  for (const test of projectSuite.allTests()) {
    const t = internalTest(test);
    let insideParallel = false;
    let outermostSequential: Suite | undefined;
    let hasAllHooks = false;
    for (let parent: Suite | undefined = test.parent; parent; parent = parent.parent) {
      const p = internal(parent);
      if (p._parallelMode === 'serial' || p._parallelMode === 'default') outermostSequential = parent;
      insideParallel ||= p._parallelMode === 'parallel';
      hasAllHooks ||= p._hooks!.some((hook) => hook.type === 'beforeAll' || hook.type === 'afterAll');
    }
    const where = `${t._workerHash}\u0000${t._requireFile}`;
    let kind: string;
    if (!insideParallel) kind = 'general';
    else if (hasAllHooks && !outermostSequential) kind = `hooks:${idOf(test)}`;
    else kind = outermostSequential ? `suite:${idOf(outermostSequential)}` : `test:${idOf(test)}`;
    groups.set(test, `${projectSuite.title}\u0000${where}\u0000${kind}`);
  }
  return groups;
}

/** Playwright's `.only` (common/suiteUtils.ts filterOnly) over these project suites: the tests it keeps, or undefined if nothing is focused. */
function focusedTests(projectSuites: readonly Suite[]): Set<TestCase> | undefined {
  const only = (suite: Suite): TestCase[] | undefined => {
    let any = false;
    const kept: TestCase[] = [];
    for (const child of suite.suites) {
      const inner = only(child);
      if (inner) {
        any = true;
        kept.push(...inner);
      } else if (internal(child)._only) {
        any = true;
        kept.push(...child.allTests());
      }
    }
    for (const test of suite.tests) {
      if (internalTest(test)._only) {
        any = true;
        kept.push(test);
      }
    }
    return any ? kept : undefined;
  };
  const kept: TestCase[] = [];
  let any = false;
  for (const projectSuite of projectSuites) {
    const inner = only(projectSuite);
    if (inner) {
      any = true;
      kept.push(...inner);
    }
  }
  return any ? new Set(kept) : undefined;
}

/** config.webServer entries, read where Playwright keeps them (an array shows as null on the public config). */
function webServerCount(config: FullConfig): number | 'unknown' {
  const symbol = Object.getOwnPropertySymbols(config).find((s) => s.description === 'configInternalSymbol');
  const internalConfig = symbol ? (config as unknown as Record<symbol, { webServers?: unknown[] }>)[symbol] : undefined;
  if (Array.isArray(internalConfig?.webServers)) return internalConfig.webServers.length;
  return config.webServer ? 1 : 'unknown';
}

/** A project's browser that is not installed: only where Playwright would look in its own registry. */
function missingBrowser(
  project: FullProject,
  playwrightCore: (() => Record<string, { executablePath(): string }>) | undefined,
): string | undefined {
  const use = project.use as { browserName?: string; channel?: string; launchOptions?: { executablePath?: string } };
  const path = use.launchOptions?.executablePath;
  if (path)
    return existsSync(path)
      ? undefined
      : `${project.name}: launchOptions.executablePath ${path} does not exist; fix the path or install the browser there`;
  if (use.channel) return undefined; // a branded browser (chrome, msedge): Playwright finds it itself
  const name = use.browserName ?? 'chromium';
  let executable: string | undefined;
  try {
    executable = playwrightCore?.()[name]?.executablePath();
  } catch {
    return undefined;
  }
  if (!executable || existsSync(executable)) return undefined;
  return `${project.name}: Playwright's ${name} is not installed — run \`npx playwright install ${name}\``;
}

export default class UigateListReporter implements Reporter {
  private config: FullConfig | undefined;
  private suite: Suite | undefined;
  private readonly errors: string[] = [];

  printsToStdio() {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite) {
    this.config = config;
    this.suite = suite;
  }

  onError(error: TestError) {
    this.errors.push(error.message ?? error.value ?? 'unknown error');
  }

  onEnd() {
    const file = process.env[LIST_FILE_ENV];
    if (!file)
      throw new Error(`the uigate list reporter writes to the file named by ${LIST_FILE_ENV}, which is not set`);
    const listing = this.config && this.suite ? this.listing(this.config, this.suite) : undefined;
    const helper =
      ((globalThis as Record<symbol, unknown>)[MISSING_BROWSERS] as Listing['missingBrowsers'] | undefined) ?? [];
    writeFileSync(
      file,
      JSON.stringify({
        ...(listing ?? { tests: [], projects: [], missingBrowsers: helper }),
        ...(this.errors.length ? { errors: this.errors } : {}),
      }),
    );
  }

  private listing(config: FullConfig, root: Suite): Listing {
    const projectSuites = root.suites.filter((child) => child.type === 'project');
    const grouping = readable(projectSuites.flatMap((projectSuite) => projectSuite.allTests())) ? 'playwright' : 'file';
    const projects = config.projects.map(listedProject);
    const wanted = JSON.parse(process.env[LIST_PROJECTS_ENV] || '[]') as string[];
    const closure = projectClosure(
      projects,
      projects.filter((project) => matchesProjectFilter(project.name, wanted)).map((project) => project.name),
    );
    const focus = focusedTests(projectSuites.filter((projectSuite) => closure.has(projectSuite.title)));
    return {
      playwrightVersion: config.version,
      rootDir: config.rootDir,
      ...(config.configFile ? { configFile: config.configFile } : {}),
      workers: config.workers,
      forbidOnly: config.forbidOnly,
      processSetup: {
        webServers: webServerCount(config),
        globalSetup: Boolean(config.globalSetup),
        globalTeardown: Boolean(config.globalTeardown),
      },
      grouping,
      projects,
      tests: projectSuites.flatMap((projectSuite) => listedTests(projectSuite, config.rootDir, grouping, focus)),
      missingBrowsers: missingBrowsers(config, closure),
      focused: Boolean(focus),
    };
  }
}

const browserNameOf = (project: FullProject) => (project.use as { browserName?: string }).browserName;

function listedProject(project: FullProject): ListedProject {
  const browserName = browserNameOf(project);
  return {
    name: project.name,
    testDir: project.testDir,
    dependencies: [...project.dependencies],
    ...(project.teardown ? { teardown: project.teardown } : {}),
    ...(browserName ? { browserName } : {}),
  };
}

/** A project's tests, each with its group (Playwright's, or its whole file where Playwright hides them). */
function listedTests(
  projectSuite: Suite,
  rootDir: string,
  grouping: Listing['grouping'],
  focus: Set<TestCase> | undefined,
): ListedTest[] {
  const groups = grouping === 'playwright' ? playwrightGroups(projectSuite) : undefined;
  return projectSuite.allTests().map((test) => {
    const file = relative(rootDir, test.location.file).split(sep).join('/');
    const locks = internalTest(test)._locks;
    return {
      project: projectSuite.title,
      file,
      titlePath: test.titlePath().slice(3),
      line: test.location.line,
      column: test.location.column,
      tags: test.tags,
      repeat: test.repeatEachIndex,
      group: groups?.get(test) ?? `${projectSuite.title}\u0000${file}\u0000${test.repeatEachIndex}`,
      ...(locks?.length ? { locks: [...locks] } : {}),
      ...(focus ? { focused: focus.has(test) } : {}),
    };
  });
}

/** Browsers the helper left out, and those of the projects a run would use that Playwright would not find. */
function missingBrowsers(
  config: FullConfig,
  closure: Map<string, 'top-level' | 'dependency'>,
): Listing['missingBrowsers'] {
  const require = createRequire(process.argv[1] ?? import.meta.url);
  const core = () => require('playwright-core') as Record<string, { executablePath(): string }>;
  const fromHelper =
    ((globalThis as Record<symbol, unknown>)[MISSING_BROWSERS] as Listing['missingBrowsers'] | undefined) ?? [];
  const checked = config.projects.filter(
    (project) => closure.get(project.name) === 'top-level' || browserNameOf(project),
  );
  const missing = checked.map((project) => ({ project: project.name, message: missingBrowser(project, core) }));
  return [
    ...fromHelper,
    ...missing.filter((entry): entry is { project: string; message: string } => entry.message !== undefined),
  ];
}
