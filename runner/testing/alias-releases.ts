// Test helper: releases of a function promoted to a production target and baked under an alarm
// held in one state, with runs seeded in a store — what the Lambda alias tests do against our
// control-plane stand-in and against moto_server alike.
import { join } from 'node:path';
import type { SeededStore } from '../../status-site/testing/seed.ts';
import type { AlarmSource } from '../verify/alarm-source.ts';
import type { StagingTarget } from '../verify/production-target.ts';
import { promote, verifyRelease } from '../verify/verify.ts';
import { releaseFolder } from './release-folder.ts';

/** The smoke alarm, in one state for the whole bake. */
export const alarmsIn = (state: 'OK' | 'ALARM'): AlarmSource => {
  const states = async (names: readonly string[]) =>
    names.map((name) => ({ name, state, reason: `smoke ${state}`, actionsEnabled: true }));
  return { states, inspect: states };
};

/** Promotes a function's folder approved by `runId`, and bakes a release under the alarm in `state`. */
export function aliasReleases(seed: SeededStore, dir: string, target: () => StagingTarget) {
  const runOf = async (runId: string) => (await seed.store.getRun(runId))!;
  return {
    release: async (runId: string, body: string) =>
      promote({
        store: seed.store,
        target: target(),
        release: { releaseId: runId, run: await runOf(runId) },
        fromDir: await releaseFolder(join(dir, runId), { 'index.mjs': body }),
        actor: 'test',
      }),
    bake: async (runId: string, releaseId: string, state: 'OK' | 'ALARM') =>
      verifyRelease({
        store: seed.store,
        target: target(),
        release: { releaseId, run: await runOf(runId) },
        alarms: alarmsIn(state),
        names: ['smoke'],
        actor: 'test',
        durationMs: 0,
        pollMs: 1,
      }),
  };
}
