// The contract with Playwright, as a test helper: run a project with plain `npx playwright test`
// and with `uigate run`, and read every test's status from each — Playwright's from its JSON
// report, uigate's from the status API — keyed the same way, so a test can compare them.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startStatusServer } from '../../status-site/hosting/server.ts';
import { openEmbeddedStore } from '../store/open-store.ts';
import { REPO, runNode, type CommandResult, fixtureProject, type FixtureProject } from './fixture-project.ts';

/** `[project] file › title path`, with ` #n` for the nth repeat. */
export type TestId = string;
export type Statuses = Map<TestId, string>;

const idOf = (project: string, file: string, titlePath: readonly string[], repeat: number): TestId =>
  `[${project}] ${file} › ${titlePath.join(' › ')}${repeat ? ` #${repeat}` : ''}`;

interface JsonTest {
  projectName: string;
  status: 'expected' | 'unexpected' | 'flaky' | 'skipped';
}
interface JsonSpec {
  title: string;
  tests: JsonTest[];
}
interface JsonSuite {
  title: string;
  file: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

/** Playwright's outcome as the status uigate records for it. */
const STATUS_OF: Record<JsonTest['status'], string> = {
  expected: 'passed',
  unexpected: 'failed',
  flaky: 'flaky',
  skipped: 'skipped',
};

/** Every test's status from a plain `playwright test --reporter=json` run. */
export function statusesFromJsonReport(report: { suites?: JsonSuite[] }): Statuses {
  const statuses: Statuses = new Map();
  const repeats = new Map<string, number>();
  const walk = (suite: JsonSuite, file: string, titles: string[]) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        // Repeats come as specs of the same title, in repeat order.
        const base = idOf(test.projectName, file, [...titles, spec.title], 0);
        const repeat = repeats.get(base) ?? 0;
        repeats.set(base, repeat + 1);
        statuses.set(idOf(test.projectName, file, [...titles, spec.title], repeat), STATUS_OF[test.status]);
      }
    }
    for (const child of suite.suites ?? []) walk(child, file, [...titles, child.title]);
  };
  for (const file of report.suites ?? []) walk(file, file.file, []);
  return statuses;
}

export interface ConformanceProject extends FixtureProject {
  /** Plain `npx playwright test --reporter=json` with these arguments. */
  plain(args?: string[]): Promise<{ statuses: Statuses; result: CommandResult }>;
  /** `uigate run --json` with these arguments; statuses read back through the status API. */
  uigate(args: string[], options?: { env?: Record<string, string> }): Promise<CommandResult>;
  /** `home`: another `.uigate` folder (UIGATE_HOME), so a run sees no history of the others. */
  viaUigate(
    args?: string[],
    options?: { home?: string },
  ): Promise<{ statuses: Statuses; result: CommandResult; summary: { runId: string; status: string } }>;
}

export interface ConformanceFixture {
  /** Files relative to the project root (tests under tests/). */
  files: Record<string, string>;
  /** Lines inside the Playwright config's defineConfig({ … }). `__PORT__` is replaced by a free port. */
  config: string;
  /** Lines inside uigate.config.ts's defineConfig({ … }). */
  uigateConfig?: string;
}

/** A free TCP port on 127.0.0.1, for a fixture's web server. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

const BROWSERS = join(REPO, 'runner', 'playwright', 'browsers.ts');

/** A project as a user would have it: its own Playwright config (no uigate reporter in it), its tests. */
export async function conformanceProject(fixture: ConformanceFixture): Promise<ConformanceProject> {
  const project = await fixtureProject({});
  const port = String(await freePort());
  const fill = (text: string) => text.replaceAll('__PORT__', port);
  await project.write(
    'playwright.config.ts',
    `import { defineConfig } from '@playwright/test';
// This machine has no Playwright browsers: the system's, through uigate's opt-in helper.
import { browserProjects } from ${JSON.stringify(BROWSERS)};
const chromium = browserProjects().find((project) => project.name === 'chromium')!;
export default defineConfig({
  testDir: './tests',
  workers: 2,
${fill(fixture.config)}
});
`,
  );
  // Units never seen count as 40 s: minutes of work, so Lambda's plan makes several batches of these quick tests.
  await project.write(
    'uigate.config.ts',
    `export default { dispatch: { defaultUnitSeconds: 40 }, ${fixture.uigateConfig ?? ''} };\n`,
  );
  for (const [path, text] of Object.entries(fixture.files)) await project.write(path, fill(text));

  const uigate = (args: string[], options: { env?: Record<string, string> } = {}) => project.uigate(args, options);
  return {
    ...project,
    uigate,
    async plain(args = []) {
      const result = await project.playwright(['--reporter=json', ...args], { UIGATE_REPORT: 'off' });
      let report: { suites?: JsonSuite[] };
      try {
        report = JSON.parse(result.stdout) as { suites?: JsonSuite[] };
      } catch {
        throw new Error(`plain Playwright printed no JSON report (exit ${result.code}): ${result.stderr.slice(-2000)}`);
      }
      return { statuses: statusesFromJsonReport(report), result };
    },
    async viaUigate(args = [], options = {}) {
      const home = join(project.dir, options.home ?? '.uigate');
      const result = await uigate(['run', '--json', '--no-serve', ...args], { env: { UIGATE_HOME: home } });
      let summary: { runId: string; status: string };
      try {
        summary = JSON.parse(result.stdout) as { runId: string; status: string };
      } catch {
        throw new Error(`uigate run printed no summary (exit ${result.code}): ${result.stderr.slice(-3000)}`);
      }
      return { statuses: await statusesFromApi(home, summary.runId), result, summary };
    },
  };
}

/** Every unit's status in a run, as the status API answers it (`GET /api/runs/:id`). */
export async function statusesFromApi(home: string, runId: string): Promise<Statuses> {
  const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
  const site = await startStatusServer({ store, artifactsDir: join(home, 'artifacts') });
  try {
    const response = await fetch(`${site.url}/api/runs/${runId}`);
    if (!response.ok) throw new Error(`GET /api/runs/${runId}: ${response.status} ${await response.text()}`);
    const { units } = (await response.json()) as {
      units: { project: string; file: string; titlePath: string[]; repeat?: number; status: string }[];
    };
    return new Map(units.map((unit) => [idOf(unit.project, unit.file, unit.titlePath, unit.repeat ?? 0), unit.status]));
  } finally {
    await site.close();
    await store.close();
  }
}

/** The tests whose statuses differ, one line each, for an assertion message. */
export function differences(plain: Statuses, uigate: Statuses): string[] {
  const ids = [...new Set([...plain.keys(), ...uigate.keys()])].sort();
  return ids
    .filter((id) => plain.get(id) !== uigate.get(id))
    .map((id) => `${id}: playwright ${plain.get(id) ?? 'absent'}, uigate ${uigate.get(id) ?? 'absent'}`);
}

export { runNode };
