// `uigate baselines --run <id> [--write]`: a run's screenshot changes made the new baselines,
// from the images the run stored — no second run, and never over a baseline someone changed since:
// a changed baseline is written only while the file is still the one the run compared with, a new
// one only where there is none (or the same image already).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { UnitRecord, VisualChange } from '../core/model.ts';

export interface BaselinePlan {
  /** `/`-separated, relative to the project's folder. */
  baseline: string;
  kind: VisualChange['kind'];
  /** The test, as `[project] title › path`. */
  test: string;
  action: 'write' | 'already' | 'refuse';
  /** Why it is refused. */
  reason?: string;
  /** The image to write. */
  image?: Buffer;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A baseline path a run recorded, kept inside the project: never `..`, never absolute. */
function inside(projectDir: string, baseline: string): string | undefined {
  const path = normalize(baseline);
  if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`)) return undefined;
  return join(projectDir, path);
}

/** What writing each of the run's changes would do, checked against the files there now. */
export async function planBaselines(
  units: readonly UnitRecord[],
  read: (key: string) => Promise<Buffer>,
  projectDir: string,
): Promise<BaselinePlan[]> {
  const plans: BaselinePlan[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    for (const change of unit.visual ?? []) {
      if (seen.has(change.baseline)) continue;
      seen.add(change.baseline);
      const test = `[${unit.project}] ${unit.titlePath.join(' › ')}`;
      const plan = { baseline: change.baseline, kind: change.kind, test };
      const file = inside(projectDir, change.baseline);
      if (!file) {
        plans.push({ ...plan, action: 'refuse', reason: 'the path leaves the project folder' });
        continue;
      }
      const [actual, expected, there] = await Promise.all([
        read(change.actual),
        change.expected ? read(change.expected) : undefined,
        readFile(file).catch(() => undefined),
      ]);
      plans.push({ ...plan, ...decide(change, actual, expected, there) });
    }
  }
  return plans;
}

function decide(
  change: VisualChange,
  actual: Buffer,
  expected: Buffer | undefined,
  there: Buffer | undefined,
): Pick<BaselinePlan, 'action' | 'reason' | 'image'> {
  if (there && sha256(there) === sha256(actual)) return { action: 'already' };
  if (change.kind === 'new')
    return there
      ? { action: 'refuse', reason: 'a different baseline is there now: not overwritten' }
      : { action: 'write', image: actual };
  if (!there) return { action: 'refuse', reason: 'the baseline the run compared with is gone now' };
  if (!expected || sha256(there) !== sha256(expected))
    return { action: 'refuse', reason: 'the baseline changed since the run compared with it: not overwritten' };
  return { action: 'write', image: actual };
}

/** Writes the planned images, each whole or not at all; returns the paths written. */
export async function writeBaselines(plans: readonly BaselinePlan[], projectDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const plan of plans) {
    if (plan.action !== 'write' || !plan.image) continue;
    const file = inside(projectDir, plan.baseline)!;
    await mkdir(dirname(file), { recursive: true });
    const aside = `${file}.${process.pid}.tmp`;
    await writeFile(aside, plan.image);
    await rename(aside, file);
    written.push(plan.baseline);
  }
  return written;
}
