// Test helper: a throwaway Playwright project in a temp folder, with specs written on the fly,
// that uses this checkout's Playwright, browsers module and reporter.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const UIGATE_BIN = join(REPO, 'bin', 'uigate.js');

export interface FixtureProject {
  dir: string;
  write(path: string, text: string): Promise<void>;
  /** Runs the uigate CLI in the project; resolves when it exits. */
  uigate(
    args: string[],
    options?: { env?: Record<string, string>; onStart?: (pid: number) => void },
  ): Promise<CommandResult>;
  /** Runs a plain `playwright test` in the project. */
  playwright(args: string[], env?: Record<string, string>): Promise<CommandResult>;
  remove(): Promise<void>;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  onStart?: (pid: number) => void,
): Promise<CommandResult> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid) onStart?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((ok) => child.on('close', (code) => ok({ code, stdout, stderr })));
}

/** What the fixtures' tests record unless told otherwise: a trace and a screenshot kept on failure. */
const USE = "{ trace: 'retain-on-failure', screenshot: 'only-on-failure' }";

const CONFIG = (projects: string[], extra: string, use: string) => `
import { defineConfig } from '@playwright/test';
import { browserProjects } from ${JSON.stringify(join(REPO, 'runner', 'playwright', 'browsers.ts'))};

export default defineConfig({
  testDir: './tests',
  reporter: [[${JSON.stringify(join(REPO, 'runner', 'playwright', 'reporter.ts'))}]],
  use: ${use},
  projects: browserProjects().filter((project) => ${JSON.stringify(projects)}.includes(project.name)),
  ${extra}
});
`;

export async function fixtureProject(
  specs: Record<string, string>,
  options: { projects?: string[]; config?: string; /** playwright.config's `use`, as source. */ use?: string } = {},
): Promise<FixtureProject> {
  const dir = await mkdtemp(join(tmpdir(), 'uigate-fixture-'));
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module', private: true }));
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  await write(
    'playwright.config.ts',
    CONFIG(options.projects ?? ['chromium'], options.config ?? '', options.use ?? USE),
  );
  for (const [path, text] of Object.entries(specs)) await write(join('tests', path), text);
  return {
    dir,
    write,
    uigate: (args, opts = {}) => runNode([UIGATE_BIN, ...args], dir, opts.env, opts.onStart),
    playwright: (args, env) =>
      runNode([join(REPO, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', ...args], dir, env),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
