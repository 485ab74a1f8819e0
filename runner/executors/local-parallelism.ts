// How the local executor runs N at once: N Playwright processes side by side (one worker each;
// uigate schedules Playwright's groups among them), or one Playwright process with N workers
// (Playwright schedules). Side by side is faster to balance but each process does its own
// once-per-run work, so it is used only when nothing in the suite would collide.
import type { ProcessSetup } from '../playwright/listing.ts';
import type { IndexUse } from '../playwright/worker-index-use.ts';

export type SideBySide = boolean | 'auto';

export interface LocalParallelism {
  /** Playwright processes at once. */
  processes: number;
  /** Workers in each (Playwright's --workers). */
  workersEach: number;
  /** Why one process, when `auto` chose it: shown to the user. */
  reason?: string;
}

/** Says why processes side by side would not behave as one plain `npx playwright test`, if they would not. */
export function collision(
  setup: ProcessSetup,
  indexUse: IndexUse | undefined,
  dependencyProjects: readonly string[] = [],
): string | undefined {
  if (dependencyProjects.length) {
    const named = `${dependencyProjects.join(', ')} project${dependencyProjects.length > 1 ? 's' : ''}`;
    return `each Playwright process would run the ${named} again, at the same time as the others and on the same files and accounts`;
  }
  if (setup.webServers === 'unknown')
    return "this Playwright's webServer setting could not be read, and each process would start its own";
  if (setup.webServers)
    return `playwright.config has a webServer, which each Playwright process starts for itself (on the same port)`;
  if (setup.globalSetup || setup.globalTeardown)
    return 'playwright.config has a globalSetup or globalTeardown, which each Playwright process would run';
  if (indexUse)
    return `the tests tell workers apart by index (${indexUse.where}), and every side-by-side process would be worker 0`;
  return undefined;
}

export function localParallelism(workers: number, sideBySide: SideBySide, why: string | undefined): LocalParallelism {
  if (sideBySide === true || (sideBySide === 'auto' && !why) || workers === 1)
    return { processes: workers, workersEach: 1 };
  return { processes: 1, workersEach: workers, ...(sideBySide === 'auto' ? { reason: why } : {}) };
}
