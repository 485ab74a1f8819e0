// What the Lambda executor sends and the handler returns. Checked at the handler's door: a
// malformed event gets one clear error result, never a crash.
import { z } from 'zod';
import type { UnitOutcome, UnitRef } from '../core/model.ts';
import { RUN_ID_PATTERN } from '../core/model.ts';
import { isLoopbackUrl } from '../core/local-request.ts';
import { testFlagsSchema } from '../playwright/test-flags.ts';

/** Lambda runs one browser: @sparticuz/chromium. Projects are matched by their browser, whatever their names. */
export const LAMBDA_BROWSERS = ['chromium'];
export const MAX_UNITS_PER_EVENT = 500;

/** A path inside the suite: relative, no "..". */
const insidePath = (what: string) =>
  z
    .string()
    .min(1)
    .max(1024)
    .refine((file) => !file.startsWith('/') && !file.split('/').includes('..'), `must be ${what}, without ".."`);
const name = z.string().min(1).max(256);
const region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
  .optional();
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name');
const isLoopback = isLoopbackUrl;

// Strict throughout: an unknown key is refused rather than ignored, so a misspelt or foreign
// setting cannot pass unnoticed, and every number and string has a bound.
const unit = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  file: insidePath('relative to testDir'),
  line: z.number().int().min(0).max(10_000_000),
  column: z.number().int().min(0).max(100_000),
  titlePath: z.array(z.string().max(4096)).min(1).max(64),
  project: z.string().max(256),
  module: z.string().max(1024),
  tags: z.array(z.string().max(256)).max(64).optional(),
  repeat: z.number().int().min(1).max(10_000).optional(),
  group: z.string().max(200).optional(),
  role: z.literal('dependency').optional(),
});

const schema = z.strictObject({
  runId: z.string().regex(RUN_ID_PATTERN, 'must look like 20261122T185625123Z-k3f9'),
  batchId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  dispatch: z.number().int().min(1).max(1_000_000),
  browser: z
    .string()
    .refine((browser) => LAMBDA_BROWSERS.includes(browser), `Lambda runs only ${LAMBDA_BROWSERS.join(', ')}`),
  units: z.array(unit).min(1).max(MAX_UNITS_PER_EVENT),
  baseURL: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  /** Playwright's flags for how the batch's tests run (--retries, --trace, --repeat-each, …). */
  testFlags: testFlagsSchema.optional(),
  store: z
    .strictObject({
      table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'),
      region,
      endpoint: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional(),
      retentionDays: z.number().int().min(1).max(36_500).optional(),
      /** The embedded store's key: only for a store on the same machine (the local endpoint), never AWS's. */
      key: z.strictObject({ accessKeyId: name, secretAccessKey: name }).optional(),
    })
    .refine((store) => !store.key || (store.endpoint !== undefined && isLoopback(store.endpoint)), {
      message: 'a store key is only sent to a store on 127.0.0.1',
      path: ['key'],
    }),
  /** The suite to run (test-source.ts); absent: the suite in the function's own folder. */
  source: z
    .union([
      z.strictObject({
        bucket,
        key: z.string().min(1).max(1024),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        region,
        endpoint: z
          .url({ protocol: /^https?$/ })
          .max(2048)
          .optional(),
      }),
      z.strictObject({ file: z.string().min(1).max(4096), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    ])
    .optional(),
  /** The Playwright config, relative to the suite's folder. */
  config: insidePath('a path inside the suite').optional(),
  artifacts: z.union([
    z.strictObject({
      bucket,
      prefix: z.string().max(512).optional(),
      region,
      endpoint: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional(),
    }),
    z.strictObject({ dir: z.string().min(1).max(4096) }),
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

/**
 * `uigate doctor --aws` asks a deployed function to start its browser and open a page, running no
 * tests: exactly this object, nothing else (the batch schema stays strict).
 */
export const PROBE_EVENT = { probe: 'chromium' } as const;

export type ProbeResponse =
  | { probe: 'chromium'; ok: true; requestId: string; browserVersion: string; ms: number }
  | { probe: 'chromium'; ok: false; requestId: string; error: { type: 'BrowserUnavailable'; message: string } };

export const isProbe = (input: unknown): boolean =>
  typeof input === 'object' &&
  input !== null &&
  Object.keys(input).length === 1 &&
  (input as { probe?: unknown }).probe === PROBE_EVENT.probe;

export class MalformedEvent extends Error {}

export function parseEvent(input: unknown): BatchEvent {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new MalformedEvent(`malformed event: ${issue.path.join('.') || '(event)'}: ${issue.message}`);
  }
  return result.data as BatchEvent;
}
