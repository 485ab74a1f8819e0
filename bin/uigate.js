#!/usr/bin/env node
// Entry point: uigate is written in TypeScript and runs through tsx, so there is no build step
// between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../runner/main.ts');
await runFromProcess();
