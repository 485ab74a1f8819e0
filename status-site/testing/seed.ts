// Test helper: a store on a throwaway embedded dynalite, seeded with runs whose units are in the
// states a status page has to show.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeUnit } from '../../runner/playwright/list.ts';
import { newRunId, type RunMeta, type UnitRecord, type UnitStatus } from '../../runner/core/model.ts';
import type { DynamoStore } from '../../runner/store/dynamo-store.ts';
import { openEmbeddedStore } from '../../runner/store/open-store.ts';
import { countStatuses } from '../../runner/core/statuses.ts';

/** A 4×3 PNG, red: small enough to inline, real enough for an <img> to decode. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAFElEQVR4nGP4z8DAwMDAxMDAwAAAEgsBA2bZ1JwAAAAASUVORK5CYII=',
  'base64',
);

export interface SeededStore {
  store: DynamoStore;
  dir: string;
  artifactsDir: string;
  remove(): Promise<void>;
}

export async function seededStore(): Promise<SeededStore> {
  const dir = await mkdtemp(join(tmpdir(), 'uigate-site-'));
  const { store } = await openEmbeddedStore(join(dir, 'dynamodb'));
  return {
    store,
    dir,
    artifactsDir: join(dir, 'artifacts'),
    remove: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SeedUnit {
  file: string;
  title: string;
  project?: string;
  status: UnitStatus;
  durationMs?: number;
  error?: string;
  attempts?: UnitRecord['attempts'];
  screenshot?: boolean;
  trace?: boolean;
  /** A screenshot of this earlier attempt too (a flaky pass's failed try). */
  attemptScreenshot?: number;
  /** A failed screenshot comparison, with its expected, actual and diff images. */
  visual?: 'changed' | 'new';
}

export const seedUnitRef = (unit: Pick<SeedUnit, 'file' | 'title' | 'project'>) =>
  makeUnit(`/t/${unit.file}`, '/t', [unit.title], unit.project ?? 'chromium', 3, 1);

export async function seedRun(
  seed: SeededStore,
  units: SeedUnit[],
  meta: Partial<RunMeta> = {},
  at = new Date(),
): Promise<string> {
  const runId = newRunId(at);
  const status = meta.status ?? (units.some((u) => u.status === 'failed') ? 'failed' : 'passed');
  await seed.store.createRun({
    runId,
    status,
    trigger: 'test',
    commit: '0123456789abcdef',
    branch: 'main',
    projects: [...new Set(units.map((u) => u.project ?? 'chromium'))],
    modules: [...new Set(units.map((u) => u.file.replace('.spec.ts', '')))],
    executors: ['local'],
    total: units.length,
    counts: countStatuses(units),
    startedAt: at.toISOString(),
    finishedAt: status === 'running' ? undefined : new Date(at.getTime() + 5000).toISOString(),
    durationMs: status === 'running' ? undefined : 5000,
    ...meta,
  });
  await seed.store.queueUnits(runId, units.map(seedUnitRef));
  for (const unit of units) {
    if (unit.status === 'queued') continue;
    const ref = seedUnitRef(unit);
    const attachments: UnitRecord['attachments'] = [];
    if (unit.screenshot)
      attachments.push(await artifact(seed, `${runId}/${ref.key}/1-screenshot.png`, 'screenshot', 'image/png', PNG));
    if (unit.attemptScreenshot) {
      const n = unit.attemptScreenshot;
      const shot = await artifact(seed, `${runId}/${ref.key}/${n}-screenshot.png`, 'screenshot', 'image/png', PNG);
      attachments.push({ ...shot, attempt: n });
    }
    const visual: UnitRecord['visual'] = [];
    if (unit.visual) {
      const image = (suffix: string) =>
        artifact(seed, `${runId}/${ref.key}/1-look${suffix}.png`, `look${suffix}.png`, 'image/png', PNG);
      const [expected, actual, diff] = await Promise.all(['-expected', '-actual', '-diff'].map(image));
      attachments.push(expected!, actual!, diff!);
      const changed = unit.visual === 'changed';
      visual.push({
        name: 'look.png',
        baseline: `tests/${unit.file}-snapshots/look-${unit.project ?? 'chromium'}-linux.png`,
        kind: unit.visual,
        ...(changed ? { pixels: 1234, ratio: 0.025, expected: expected!.path, diff: diff!.path } : {}),
        actual: actual!.path,
      });
    }
    if (unit.trace)
      attachments.push(
        await artifact(
          seed,
          `${runId}/${ref.key}/1-trace.zip`,
          'trace',
          'application/zip',
          Buffer.from('PK\u0005\u0006' + '\0'.repeat(18)),
        ),
      );
    await seed.store.recordUnit({
      ...ref,
      runId,
      status: unit.status,
      seq: 1000 + (unit.attempts?.length ?? 1) - 1,
      attempt: unit.attempts?.length ?? 1,
      attempts: unit.attempts,
      durationMs: unit.durationMs ?? 1200,
      error: unit.error ? { message: unit.error, stack: `${unit.error}\n    at ${unit.file}:3:1` } : undefined,
      attachments: attachments.length ? attachments : undefined,
      ...(visual.length ? { visual, visualOnly: true as const } : {}),
      executor: 'local',
      executorRef: 'local-001',
      finishedAt: at.toISOString(),
    });
  }
  return runId;
}

async function artifact(seed: SeededStore, path: string, name: string, contentType: string, body: Buffer) {
  const file = join(seed.artifactsDir, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, body);
  return { name, contentType, path };
}
