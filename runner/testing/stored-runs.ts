// What a finished `uigate run` left in a home's embedded store: its runs, and the newest one's units.
import { join } from 'node:path';
import { openEmbeddedStore } from '../store/open-store.ts';

export async function stored(home: string) {
  const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
  try {
    const { items: runs } = await store.listRuns();
    const units = runs[0] ? await store.getUnits(runs[0].runId) : [];
    return { runs, units };
  } finally {
    await store.close();
  }
}

/** Each release's status on a home's local production target (`uigate pipeline --local`), by release id. */
export async function releasesOf(home: string): Promise<Record<string, string>> {
  const { store } = await openEmbeddedStore(join(home, 'dynamodb'));
  try {
    return Object.fromEntries(
      (await store.listReleases(`local:${join(home, 'production')}`)).map((r) => [r.releaseId, r.status]),
    );
  } finally {
    await store.close();
  }
}
