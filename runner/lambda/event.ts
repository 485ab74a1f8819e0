// What the Lambda executor sends and the handler returns. Checked at the handler's door: a
// malformed event gets one clear error result, never a crash.
import { z } from 'zod';
import type { UnitOutcome } from '../executors/executor.ts';
import { RUN_ID_PATTERN, type UnitRef } from '../core/model.ts';

/** Lambda runs one browser: @sparticuz/chromium. Projects are matched by their browser, whatever their names. */
export const LAMBDA_BROWSERS = ['chromium'];
export const MAX_UNITS_PER_EVENT = 500;

const unit = z.object({
  key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  file: z
    .string()
    .min(1)
    .refine(
      (file) => !file.startsWith('/') && !file.split('/').includes('..'),
      'must be relative to testDir, without ".."',
    ),
  line: z.number().int(),
  column: z.number().int(),
  titlePath: z.array(z.string()).min(1),
  project: z.string(),
  module: z.string(),
  tags: z.array(z.string()).optional(),
  repeat: z.number().int().min(1).optional(),
  group: z.string().max(200).optional(),
  role: z.literal('dependency').optional(),
});

const schema = z.object({
  runId: z.string().regex(RUN_ID_PATTERN, 'must look like 20261122T185625123Z-k3f9'),
  batchId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  dispatch: z.number().int().min(1),
  browser: z
    .string()
    .refine((browser) => LAMBDA_BROWSERS.includes(browser), `Lambda runs only ${LAMBDA_BROWSERS.join(', ')}`),
  units: z.array(unit).min(1).max(MAX_UNITS_PER_EVENT),
  baseURL: z.url().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  store: z.object({ table: z.string().min(3), region: z.string().optional(), endpoint: z.url().optional() }),
  /** The suite to run (test-source.ts); absent: the suite in the function's own folder. */
  source: z
    .union([
      z.strictObject({
        bucket: z.string().min(3),
        key: z.string().min(1).max(1024),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        region: z.string().optional(),
        endpoint: z.url().optional(),
      }),
      z.strictObject({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    ])
    .optional(),
  /** The Playwright config, relative to the suite's folder. */
  config: z
    .string()
    .min(1)
    .refine(
      (file) => !file.startsWith('/') && !file.split('/').includes('..'),
      'must be a path inside the suite, without ".."',
    )
    .optional(),
  artifacts: z.union([
    z.object({
      bucket: z.string().min(3),
      prefix: z.string().optional(),
      region: z.string().optional(),
      endpoint: z.url().optional(),
    }),
    z.object({ dir: z.string().min(1) }),
  ]),
});

export type BatchEvent = z.infer<typeof schema> & { units: UnitRef[] };

export type BatchResponse =
  | { ok: true; runId: string; batchId: string; requestId: string; results: UnitOutcome[] }
  | {
      ok: false;
      error: { type: 'MalformedEvent' | 'BatchCrashed' | 'BrowserUnavailable' | 'SourceUnavailable'; message: string };
      requestId: string;
      results: UnitOutcome[];
    };

export class MalformedEvent extends Error {}

export function parseEvent(input: unknown): BatchEvent {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new MalformedEvent(`malformed event: ${issue.path.join('.') || '(event)'}: ${issue.message}`);
  }
  return result.data as BatchEvent;
}
