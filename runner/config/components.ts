// A mono-repo's components in uigate.config.ts: which paths each owns and which tests cover it,
// and which changes mean the whole suite. `uigate affected` and `uigate run --changed` read them.
import { z } from 'zod';

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const GLOBS = 'expected a list of paths or globs relative to the repository, e.g. ["apps/web/**"]';

/** The tests that cover a component: a Playwright grep (a tag), uigate modules, or both. */
const testsSchema = z
  .strictObject({
    grep: z.string({ error: 'expected a Playwright --grep, e.g. "@web"' }).min(1).optional(),
    modules: z.array(z.string().min(1), { error: 'expected module names, e.g. ["api-*"]' }).min(1).optional(),
  })
  .refine((tests) => tests.grep !== undefined || tests.modules !== undefined, {
    error: 'name the tests that cover it: { grep: "@web" } or { modules: ["checkout"] }',
  });

export const componentsSchema = z
  .record(
    z.string().regex(NAME, { error: 'a component name is lowercase letters, digits and "-", e.g. "web"' }),
    z.strictObject({
      paths: z.array(z.string().min(1), { error: GLOBS }).min(1, { error: GLOBS }),
      tests: testsSchema,
    }),
    { error: 'expected components by name: { web: { paths: ["apps/web/**"], tests: { grep: "@web" } } }' },
  )
  .optional();

export const changesSchema = z
  .strictObject({
    /** Files whose change means the whole suite: the lockfile, the configs, shared test support. */
    global: z.array(z.string().min(1), { error: GLOBS }).optional(),
    /** Tests that run whatever changed. */
    always: testsSchema.optional(),
    /** A changed file no component owns: the whole suite ('all', the default), or nothing. */
    unmapped: z.enum(['all', 'ignore'], { error: 'expected "all" (the default) or "ignore"' }).optional(),
  })
  .optional();

export type ComponentTests = z.infer<typeof testsSchema>;
export type Components = Record<string, { paths: string[]; tests: ComponentTests }>;

export interface ChangeRules {
  global: string[];
  always?: ComponentTests;
  unmapped: 'all' | 'ignore';
}

/** The files a change to always means the whole suite, whatever a config adds. */
export const ALWAYS_GLOBAL = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'playwright.config.*',
  'uigate.config.*',
];
