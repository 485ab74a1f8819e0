#!/usr/bin/env node
// Entry point. Installed from the package, uigate runs its compiled JavaScript (dist/); in a
// checkout of its repository it runs its TypeScript sources through tsx, with no build step between
// an edit and a run.
import { existsSync } from 'node:fs';

const sources = new URL('../runner/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  const { runFromProcess } = await import(sources.href);
  await runFromProcess();
} else {
  const { runFromProcess } = await import('../dist/runner/cli/main.js');
  await runFromProcess();
}
