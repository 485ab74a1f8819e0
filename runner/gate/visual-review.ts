// The visual review of a release: each failed screenshot comparison of a run, as the approval side
// sees it. Its fingerprint — the test, the project, the baseline's path, and the sha-256 of the
// expected and actual images — is computed here from the bytes the artifact store holds, never
// taken from what an executor said, so a decision binds to exactly the images the person looked
// at. The same change seen again (a rerun, a squash merge, another branch) has the same
// fingerprint; one changed byte makes a new one.
import { createHash } from 'node:crypto';
import type { UnitRecord, VisualChange } from '../core/model.ts';
import type { ReviewedItem, VisualDecision, VisualItem } from '../core/visual-review.ts';

export type { ReviewedItem, VisualDecision, VisualItem };

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The change's identity: test, project, baseline path, expected and actual images' sha-256. */
export function fingerprintOf(item: {
  file: string;
  test: string;
  project: string;
  baseline: string;
  expectedSha?: string;
  actualSha: string;
}): string {
  const parts = [item.file, item.test, item.project, item.baseline, item.expectedSha ?? 'none', item.actualSha];
  return sha256(Buffer.from(JSON.stringify(parts))).slice(0, 24);
}

/** `home-chromium-linux.png` → `home`: the screenshot's row, whichever browser took it. */
export function screenshotOf(change: Pick<VisualChange, 'name'>, project: string): string {
  const base = change.name.replace(/\.[^.]+$/, '');
  const cut = base.indexOf(`-${project}`);
  return cut > 0 ? base.slice(0, cut) : base;
}

/**
 * Reads the run's screenshot changes from the stored images, largest first. An image that cannot be read throws: a review is never made
 * of what nobody can see.
 */
export async function visualItems(
  units: readonly UnitRecord[],
  read: (key: string) => Promise<Buffer>,
): Promise<VisualItem[]> {
  const items: VisualItem[] = [];
  for (const unit of units) {
    // A flaky unit passed in the end: its last attempt compared equal.
    if (unit.status !== 'failed') continue;
    for (const change of unit.visual ?? []) {
      const [actual, expected] = await Promise.all([
        read(change.actual),
        change.expected ? read(change.expected) : undefined,
      ]);
      const said = recordedDiffers(change, actual, expected);
      if (said)
        throw new Error(
          `the stored ${said} image of [${unit.project}] ${unit.titlePath.join(' › ')} is not the one the run recorded: it changed after the run`,
        );
      const item = {
        unitKey: unit.key,
        project: unit.project,
        test: unit.titlePath.join(' › '),
        file: unit.file,
        screenshot: screenshotOf(change, unit.project),
        baseline: change.baseline,
        kind: change.kind,
        ...(change.pixels !== undefined ? { pixels: change.pixels, ratio: change.ratio } : {}),
        ...(expected ? { expectedSha: sha256(expected) } : {}),
        actualSha: sha256(actual),
        images: { expected: change.expected, actual: change.actual, diff: change.diff },
        ...(unit.executor ? { executor: unit.executor } : {}),
        visualOnly: unit.visualOnly === true,
      };
      items.push({ ...item, fingerprint: fingerprintOf(item) });
    }
  }
  // Largest first; a change of size (no ratio) above any ratio, a new baseline after them all; then by
  // screenshot and browser, so a row's browsers stay together in the same order everywhere.
  const size = (item: VisualItem) => item.ratio ?? (item.kind === 'new' ? -1 : 2);
  return items.sort(
    (a, b) => size(b) - size(a) || a.screenshot.localeCompare(b.screenshot) || a.project.localeCompare(b.project),
  );
}

/** Which stored image differs from the sha-256 the run recorded for it, if one does. */
function recordedDiffers(change: VisualChange, actual: Buffer, expected: Buffer | undefined): string | undefined {
  if (change.actualSha && change.actualSha !== sha256(actual)) return 'actual';
  if (change.expectedSha && expected && change.expectedSha !== sha256(expected)) return 'expected';
  return undefined;
}

/** Joins the changes with the decisions made in this run and the acceptances of earlier runs. */
export function reviewed(
  items: readonly VisualItem[],
  decisions: readonly VisualDecision[],
  earlier: readonly VisualDecision[],
): ReviewedItem[] {
  const here = new Map(decisions.map((decision) => [decision.fingerprint, decision]));
  const before = new Map(
    earlier.filter((decision) => decision.decision === 'accepted').map((decision) => [decision.fingerprint, decision]),
  );
  return items.map((item) => {
    const decided = here.get(item.fingerprint);
    const already = before.get(item.fingerprint);
    return { ...item, ...(decided ? { decided } : {}), ...(!decided && already ? { alreadyAccepted: already } : {}) };
  });
}

/** What still needs a person: neither decided here nor accepted before. */
export const undecided = (items: readonly ReviewedItem[]): ReviewedItem[] =>
  items.filter((item) => !item.decided && !item.alreadyAccepted);

/** The changes rejected here: each one rejects the release. */
export const rejectedIn = (items: readonly ReviewedItem[]): ReviewedItem[] =>
  items.filter((item) => item.decided?.decision === 'rejected');

/** A change as a person names it: `[firefox] home › looks right (tests/home.spec.ts-snapshots/home-firefox-linux.png)`. */
export const describeItem = (item: Pick<VisualItem, 'project' | 'test' | 'baseline'>): string =>
  `[${item.project}] ${item.test} (${item.baseline})`;
