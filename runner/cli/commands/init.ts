// `uigate init`: wires uigate into an existing Playwright project — its reporter in the project's
// playwright.config (so a plain `npx playwright test` is recorded too), a commented
// uigate.config.ts, `.uigate/` in .gitignore. Safe to run again: it says what it changed, or that
// nothing needed to. Where it cannot edit the config safely it prints the lines to add, exit 2.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILES } from '../../config/config.ts';
import { findPlaywrightConfig, PLAYWRIGHT_CONFIG_FILES } from '../../config/playwright-config-file.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { MANUAL_LINES, addReporter } from '../init/reporter-edit.ts';
import { writeWhole } from '../init/write-whole.ts';
import { findPlaywright } from '../../playwright/cli-path.ts';
import type { CommandIO } from '../io.ts';

export interface InitFlags {
  playwrightConfig?: string;
}

/** uigate.config for a project whose Playwright config is `playwrightConfig` (relative to it). */
const uigateConfig = (
  playwrightConfig: string,
) => `// uigate's settings for this project. Test settings — projects, retries, timeouts, baseURL —
// stay in playwright.config: uigate reads them from there. Every key is optional.
import { defineConfig } from 'uigate';

export default defineConfig({
  // The Playwright config uigate runs, as uigate init found it.
  playwrightConfig: ${JSON.stringify(playwrightConfig)},

  // Where results are kept. Default: an embedded DynamoDB under .uigate/ on this machine.
  // store: { endpoint: 'http://127.0.0.1:8000', table: 'uigate', region: 'eu-west-1' },

  // How many tests at once here (default: playwright.config's workers).
  // executors: { local: { workers: 4 } },

  // What a run must show before a release may be approved (npx uigate gate --run <id>).
  gate: { maxFailures: 0 },

  // Who may approve a release: local login names, or IAM ARNs in AWS.
  // approval: { approvers: ['ana', 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReleaseManager_*/*'] },
});
`;

export async function initCommand(flags: InitFlags, io: CommandIO): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const playwrightConfig = flags.playwrightConfig
    ? resolve(io.cwd, flags.playwrightConfig)
    : findPlaywrightConfig(io.cwd);
  if (!playwrightConfig || !existsSync(playwrightConfig)) {
    throw new UsageError(
      `no Playwright config in ${io.cwd} (${PLAYWRIGHT_CONFIG_FILES.join(', ')}): run uigate init in the project's folder, or name it with --playwright-config`,
    );
  }
  // Refuses a Playwright uigate was not made for before touching anything.
  const { version } = findPlaywright(io.cwd);
  const changed: string[] = [];
  let manual: string | undefined;

  const edit = addReporter(await readFile(playwrightConfig, 'utf8'));
  if (edit.kind === 'edited') {
    await writeWhole(playwrightConfig, edit.text);
    changed.push(`${basename(playwrightConfig)}: ${edit.what}`);
  } else if (edit.kind === 'manual') {
    manual = `could not add uigate's reporter to ${basename(playwrightConfig)} safely: ${edit.why}. Add it to the config's reporters yourself:\n\n  ${MANUAL_LINES}\n`;
  }

  if (!CONFIG_FILES.some((name) => existsSync(join(io.cwd, name)))) {
    // In the project's own language: a JavaScript project gets a module it can read without TypeScript.
    const name = /\.[mc]?ts$/.test(playwrightConfig) ? 'uigate.config.ts' : 'uigate.config.mjs';
    const found = relative(io.cwd, playwrightConfig).split(sep).join('/');
    await writeWhole(join(io.cwd, name), uigateConfig(found));
    changed.push(`${name}: created, naming ${found}, with the defaults and what to change, commented`);
  }

  const gitignore = join(io.cwd, '.gitignore');
  const ignored = existsSync(gitignore) ? await readFile(gitignore, 'utf8') : '';
  if (!ignored.split('\n').some((line) => /^\/?\.uigate\/?$/.test(line.trim()))) {
    await writeWhole(
      gitignore,
      `${ignored}${ignored && !ignored.endsWith('\n') ? '\n' : ''}# uigate's local results, artifacts and work files\n.uigate/\n`,
    );
    changed.push(
      `.gitignore: ${ignored ? 'added' : 'created with'} .uigate/ (results and artifacts stay on this machine)`,
    );
  }

  for (const line of changed) say(`✓ ${line}`);
  if (manual) {
    io.stderr.write(`uigate: ${manual}`);
    return EXIT.usage;
  }
  say(
    changed.length
      ? `uigate is set up (Playwright ${version}). Next: npx uigate run`
      : `uigate is already set up here (Playwright ${version}): nothing to change`,
  );
  return EXIT.ok;
}
