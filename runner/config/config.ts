// uigate.config.ts: one typed entry point (defineConfig), validated at load. Test concerns
// (projects, retries, timeouts, baseURL) stay in playwright.config.ts.
import type { StoreSettings } from '../store/open-store.ts';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { importConfigModule } from './load-module.ts';
import { ALWAYS_GLOBAL, changesSchema, componentsSchema, type ChangeRules, type Components } from './components.ts';
import { findPlaywrightConfig, isPlaywrightConfigName } from './playwright-config-file.ts';
import { ConfigError } from '../core/errors.ts';
import type { GatePolicy } from '../core/gate-policy.ts';
import { closest } from '../core/suggest.ts';
import { ENV } from '../core/env.ts';
import { awsRegion } from '../aws/region.ts';
import { configuredEndpoint } from '../aws/endpoints.ts';
import { parseKey } from '../store/store-address.ts';

/** A duration as people write one: `90s`, `10m`, `1h`. */
/** The compute types a CodeBuild worker project may have on Linux, each priced in plan/cost.ts. */
export const CODEBUILD_COMPUTE_TYPES = [
  'BUILD_GENERAL1_SMALL',
  'BUILD_GENERAL1_MEDIUM',
  'BUILD_GENERAL1_LARGE',
] as const;
export type CodeBuildCompute = (typeof CODEBUILD_COMPUTE_TYPES)[number];

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h)$/;

/** `10m` → 600000. */
export function durationMs(text: string): number {
  const [, amount, unit] = DURATION.exec(text.trim()) ?? [];
  if (!amount) throw new ConfigError(`"${text}" is not a duration: write e.g. 10m, 90s or 1h`);
  return Number(amount) * { s: 1_000, m: 60_000, h: 3_600_000 }[unit as 's' | 'm' | 'h'];
}

const positiveInt = (what: string) =>
  z
    .number({ error: `expected a whole number (${what})` })
    .int({ error: `expected a whole number (${what})` })
    .positive({ error: `expected a number above 0 (${what})` });

const SHARE = 'expected a share from 0 to 1 (0.98), or one per browser ({ chromium: 1, firefox: 0.95 })';
const share = z.number({ error: SHARE }).min(0, { error: SHARE }).max(1, { error: SHARE });

const schema = z.strictObject({
  components: componentsSchema,
  changes: changesSchema,
  playwrightConfig: z
    .string({ error: 'expected a path to a Playwright config file, e.g. "playwright.config.ts"' })
    .optional(),
  store: z
    .strictObject({
      type: z
        .enum(['embedded', 'dynamodb'], {
          error: 'expected "embedded" (dynalite under .uigate/, the default) or "dynamodb" (AWS, or store.endpoint)',
        })
        .optional(),
      endpoint: z
        .url({ error: 'expected a URL such as "http://127.0.0.1:8000" (leave it out for the embedded store)' })
        .optional(),
      table: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, {
          error: 'expected a DynamoDB table name: 3-255 letters, digits, "_", "-" or "."',
        })
        .optional(),
      region: z.string({ error: 'expected an AWS region such as "us-east-1"' }).optional(),
      dataDir: z.string({ error: 'expected a folder for the embedded store, e.g. ".uigate/dynamodb"' }).optional(),
      retentionDays: positiveInt('days before results expire; leave out to keep them').optional(),
    })
    .optional(),
  artifacts: z
    .strictObject({
      dir: z.string({ error: 'expected a folder for screenshots and traces, e.g. ".uigate/artifacts"' }).optional(),
      bucket: z
        .string({ error: 'expected an S3 bucket name for artifacts (Lambda and CodeBuild need one)' })
        .min(3)
        .optional(),
      prefix: z.string().optional(),
      endpoint: z.url({ error: 'expected an S3-compatible endpoint URL (leave it out for S3 itself)' }).optional(),
    })
    .optional(),
  executors: z
    .strictObject({
      local: z
        .strictObject({
          workers: positiveInt('tests at once on this machine').optional(),
          sideBySide: z
            .union([z.boolean(), z.literal('auto')], {
              error:
                'expected "auto" (the default), true (one Playwright process per worker, uigate balances) or false (one Playwright process with all the workers)',
            })
            .optional(),
        })
        .optional(),
      codebuild: z
        .strictObject({
          projectName: z.string({ error: 'expected the name of the uigate CodeBuild worker project' }).optional(),
          region: z.string({ error: 'expected an AWS region such as "eu-west-1"' }).optional(),
          concurrency: positiveInt('builds in flight at once').optional(),
          workers: positiveInt('Playwright workers in each build').optional(),
          computeType: z
            .enum(CODEBUILD_COMPUTE_TYPES, {
              error:
                'expected the worker project\'s compute type, as deployed: "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM" or "BUILD_GENERAL1_LARGE"',
            })
            .optional(),
        })
        .optional(),
      lambda: z
        .strictObject({
          functionName: z.string({ error: 'expected the name or ARN of the uigate Lambda function' }).optional(),
          region: z.string({ error: 'expected an AWS region such as "eu-west-1"' }).optional(),
          endpoint: z
            .url({ error: 'expected a Lambda-Invoke-compatible URL such as "http://127.0.0.1:9001"' })
            .optional(),
          concurrency: positiveInt('invocations in flight at once').optional(),
          memoryMb: positiveInt("the function's memory in MB, as deployed (for the run's cost)").optional(),
          timeoutSeconds: positiveInt("the function's timeout, up to 900")
            .max(900, { error: 'expected at most 900 (Lambda runs 15 minutes at most)' })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  gate: z
    .strictObject({
      requiredProjects: z
        .array(z.string(), { error: 'expected a list of browsers (Playwright projects), e.g. ["chromium", "firefox"]' })
        .optional(),
      requiredModules: z.array(z.string(), { error: 'expected a list of module names, e.g. ["checkout"]' }).optional(),
      maxFailures: z.number().int().min(0, { error: 'expected 0 or more failed units allowed' }).optional(),
      minPassRate: z.union([share, z.record(z.string(), share)], { error: SHARE }).optional(),
      allowFlaky: z.boolean({ error: 'expected true or false' }).optional(),
      maxFlaky: z.number().int().min(0, { error: 'expected 0 or more flaky passes allowed' }).optional(),
      noNewFailures: z.boolean({ error: 'expected true or false' }).optional(),
      noLostTests: z.boolean({ error: 'expected true or false' }).optional(),
      maxDurationMinutes: z.number().positive({ error: 'expected minutes above 0' }).optional(),
      wholeSuite: z.boolean({ error: 'expected true or false' }).optional(),
      componentsVerified: z.boolean({ error: 'expected true or false' }).optional(),
      visualReview: z.boolean({ error: 'expected true or false' }).optional(),
    })
    .optional(),
  approval: z
    .strictObject({
      approvers: z.array(z.string().min(1), {
        error:
          'expected a list of approvers: local names ("ana") or IAM ARNs, `*` allowed ("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReleaseManager_*/*")',
      }),
      overriders: z
        .array(z.string().min(1), { error: 'expected a list of approvers who may approve a run that failed its gate' })
        .optional(),
      requiredApprovals: positiveInt('distinct approvers needed').optional(),
      expiresAfterHours: z
        .number()
        .positive({ error: 'expected hours above 0 before a pending request expires' })
        .optional(),
      authorMayApprove: z
        .boolean({ error: 'expected true or false (may the author of a commit approve it?)' })
        .optional(),
      personRoles: z
        .array(z.string().regex(/^[\w+=,.@-]{1,64}$/), {
          error:
            'expected IAM role names (not ARNs) whose session names your identity provider sets, e.g. ["ReleaseManager"]',
        })
        .optional(),
      url: z
        .url({
          error:
            'expected the approval function URL (stack output ApprovalUrl), e.g. "https://abc.lambda-url.eu-west-1.on.aws/"',
        })
        .optional(),
      readers: z
        .array(z.string().min(1), {
          error: 'expected a list of IAM ARN patterns that may sign in to read the status site, `*` allowed',
        })
        .optional(),
      pipeline: z
        .strictObject({
          name: z.string({ error: 'expected the CodePipeline pipeline name, e.g. "uigate-release"' }).min(1),
          stage: z.string().optional(),
          action: z.string().optional(),
          region: z.string({ error: 'expected an AWS region such as "eu-west-1"' }).optional(),
        })
        .optional(),
    })
    .optional(),
  notify: z
    .strictObject({
      snsTopicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, {
          error: 'expected an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:uigate"',
        })
        .optional(),
      statusUrl: z
        .url({
          error: 'expected the status site URL that links in messages point to, e.g. "https://status.example.com"',
        })
        .optional(),
    })
    .optional(),
  dispatch: z
    .strictObject({
      infraRetries: z
        .number()
        .int()
        .min(0, { error: 'expected 0 or more (times a crashed batch is re-run)' })
        .optional(),
      batchTimeoutSeconds: positiveInt('seconds a batch may take before it is stopped and re-queued').optional(),
      defaultUnitSeconds: z
        .number()
        .positive({ error: 'expected seconds above 0 (assumed duration of a unit never run before)' })
        .optional(),
      deadline: z.string().regex(DURATION, { error: 'expected a duration such as "10m", "90s" or "1h"' }).optional(),
    })
    .optional(),
});

export type UigateConfig = z.input<typeof schema>;

export interface ResolvedConfig {
  rootDir: string;
  /** uigate's own folder: embedded store, artifacts, batch work files (`.uigate`, or UIGATE_HOME). */
  home: string;
  configFile?: string;
  playwrightConfig: string;
  /** A mono-repo's components (components.ts); empty when the config names none. */
  components: Components;
  changes: ChangeRules;
  store: Omit<StoreSettings, 'createTable'>;
  artifacts: { dir: string; bucket?: string; prefix?: string; endpoint?: string };
  executors: {
    /** workers 0: the Playwright config's `workers`. sideBySide: see executors/local-parallelism.ts. */
    local: { workers: number; sideBySide: boolean | 'auto' };
    lambda: {
      functionName: string;
      region: string;
      endpoint?: string;
      concurrency: number;
      timeoutSeconds: number;
      memoryMb: number;
    };
    codebuild: {
      projectName: string;
      region: string;
      concurrency: number;
      /** Playwright workers in each build; 1 unless the worker project's compute type has room for more. */
      workers: number;
      /** For the run's cost: the worker project's compute type (cdk/test-executors.ts deploys MEDIUM). */
      computeType: CodeBuildCompute;
    };
  };
  dispatch: {
    infraRetries: number;
    batchTimeoutSeconds: number;
    defaultUnitSeconds: number;
    /** With Lambda and CodeBuild both asked for: the cheapest split expected to end within this (ms). */
    deadlineMs?: number;
  };
  gate: GatePolicy;
  approval: ApprovalSettings;
  notify: { snsTopicArn?: string; statusUrl?: string; region: string };
}

export interface ApprovalSettings {
  approvers: string[];
  overriders: string[];
  requiredApprovals: number;
  expiresAfterHours: number;
  authorMayApprove: boolean;
  /** Role names whose sessions are people (gate/person.ts); an Identity Center role always is. */
  personRoles: readonly string[];
  /** The approval function's URL (AWS_IAM auth): where `uigate approve` sends signed decisions in AWS. */
  url?: string;
  /** IAM ARN patterns that may sign in to read the status site in AWS; empty: whoever IAM lets call `url`. */
  readers: string[];
  /** The pipeline whose manual approval a decision answers (PutApprovalResult); none locally. */
  pipeline?: { name: string; stage: string; action: string; region: string };
}

/** Types uigate.config.ts; returns its argument. */
export function defineConfig(config: UigateConfig): UigateConfig {
  return config;
}

export const CONFIG_FILES = ['uigate.config.ts', 'uigate.config.mts', 'uigate.config.js', 'uigate.config.mjs'];

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : String(text);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
}

function keysAt(path: readonly PropertyKey[]): string[] {
  const unwrap = (node: z.ZodType | undefined) => (node instanceof z.ZodOptional ? (node.unwrap() as z.ZodType) : node);
  let node: z.ZodType | undefined = schema;
  for (const key of path)
    node = (unwrap(node) as z.ZodObject | undefined)?.shape[key as string] as z.ZodType | undefined;
  return Object.keys((unwrap(node) as z.ZodObject | undefined)?.shape ?? {});
}

/** Points at the first line that sets the key (`file:line`) when the source is a file that does; else names the source. */
function at(source: string, key: string | undefined): string {
  if (!key || !existsSync(source)) return source;
  const pattern = new RegExp(`(^|[\\s{,])["']?${key.replace(/[^A-Za-z0-9_$]/g, '')}["']?\\s*:`);
  const line = readFileSync(source, 'utf8')
    .split('\n')
    .findIndex((text) => pattern.test(text));
  return line < 0 ? source : `${source}:${line + 1}`;
}

/** Validates a config object; throws a ConfigError naming the key, the problem and what is accepted. */
export function validateConfig(input: unknown, source = 'uigate.config.ts'): UigateConfig {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = keysAt(issue.path);
    const guess = closest(key, known);
    const hint = guess ? `; did you mean "${guess}"?` : '';
    throw new ConfigError(
      `${at(source, key)}: unknown key "${[...issue.path, key].join('.')}"${hint} Accepted here: ${known.join(', ')}`,
    );
  }
  const last = issue.path.at(-1);
  throw new ConfigError(
    `${at(source, typeof last === 'string' ? last : undefined)}: ${path || '(top level)'}: ${issue.message}, got ${describe(valueAt(input, issue.path))}`,
  );
}

/** Fills defaults, then applies UIGATE_* environment variables, which carry settings into containers. */
export function resolveConfig(
  config: UigateConfig,
  rootDir: string,
  env: NodeJS.ProcessEnv = process.env,
  configFile?: string,
): ResolvedConfig {
  const at = (path: string) => resolve(rootDir, path);
  const endpoint = env[ENV.dynamodbEndpoint] || config.store?.endpoint || configuredEndpoint(env, 'DYNAMODB');
  const homeFromEnv = env[ENV.home];
  const home = homeFromEnv ? resolve(rootDir, homeFromEnv) : at('.uigate');
  // Where AWS is, for every client that does not name its own region.
  const region = awsRegion(env, config.store?.region);
  return {
    rootDir,
    home,
    configFile,
    components: config.components ?? {},
    changes: {
      global: [...ALWAYS_GLOBAL, ...(config.changes?.global ?? [])],
      ...(config.changes?.always ? { always: config.changes.always } : {}),
      unmapped: config.changes?.unmapped ?? 'all',
    },
    // As Playwright finds it, any of its forms; the .ts name when there is none (said where it is used).
    playwrightConfig: config.playwrightConfig
      ? at(config.playwrightConfig)
      : (findPlaywrightConfig(rootDir) ?? at('playwright.config.ts')),
    store: {
      // An endpoint, or UIGATE_STORE=dynamodb (set in Lambda and CodeBuild), means a real DynamoDB API.
      embedded: !endpoint && (env[ENV.store] || config.store?.type || 'embedded') === 'embedded',
      endpoint,
      // Set only by uigate for the processes it starts on the embedded store (store-address.ts).
      key: endpoint ? parseKey(env[ENV.dynamodbKey]) : undefined,
      table: env[ENV.table] || config.store?.table || 'uigate',
      region: env[ENV.region] || region,
      dataDir: config.store?.dataDir ? at(config.store.dataDir) : resolve(home, 'dynamodb'),
      retentionDays: retentionFromEnv(env[ENV.retentionDays]) ?? config.store?.retentionDays,
    },
    artifacts: {
      dir: env[ENV.artifactsDir] || (config.artifacts?.dir ? at(config.artifacts.dir) : resolve(home, 'artifacts')),
      bucket: env[ENV.artifactsBucket] || config.artifacts?.bucket,
      prefix: env[ENV.artifactsPrefix] || config.artifacts?.prefix,
      endpoint: env[ENV.s3Endpoint] || config.artifacts?.endpoint || configuredEndpoint(env, 'S3'),
    },
    executors: resolveExecutors(config, env, region),
    gate: config.gate ?? {},
    approval: resolveApproval(config, env, region),
    notify: {
      snsTopicArn: env[ENV.snsTopic] || config.notify?.snsTopicArn,
      statusUrl: env[ENV.statusUrl] || config.notify?.statusUrl,
      region,
    },
    dispatch: {
      infraRetries: config.dispatch?.infraRetries ?? 2,
      batchTimeoutSeconds: config.dispatch?.batchTimeoutSeconds ?? 30 * 60,
      defaultUnitSeconds: config.dispatch?.defaultUnitSeconds ?? 5,
      ...(config.dispatch?.deadline ? { deadlineMs: durationMs(config.dispatch.deadline) } : {}),
    },
  };
}

function resolveExecutors(config: UigateConfig, env: NodeJS.ProcessEnv, region: string): ResolvedConfig['executors'] {
  const executors = config.executors;
  return {
    local: { workers: executors?.local?.workers ?? 0, sideBySide: executors?.local?.sideBySide ?? 'auto' },
    lambda: {
      functionName: env[ENV.lambdaFunction] || executors?.lambda?.functionName || 'uigate-executor',
      region: executors?.lambda?.region ?? region,
      endpoint: env[ENV.lambdaEndpoint] || executors?.lambda?.endpoint,
      concurrency: executors?.lambda?.concurrency ?? 20,
      timeoutSeconds: executors?.lambda?.timeoutSeconds ?? 900,
      // What the Uigate construct deploys (cdk/test-executors.ts).
      memoryMb: executors?.lambda?.memoryMb ?? 3008,
    },
    codebuild: {
      projectName: env[ENV.codebuildProject] || executors?.codebuild?.projectName || 'uigate-worker',
      region: executors?.codebuild?.region ?? region,
      concurrency: executors?.codebuild?.concurrency ?? 10,
      workers: executors?.codebuild?.workers ?? 1,
      computeType: executors?.codebuild?.computeType ?? 'BUILD_GENERAL1_MEDIUM',
    },
  };
}

function resolveApproval(config: UigateConfig, env: NodeJS.ProcessEnv, region: string): ApprovalSettings {
  const approval = config.approval;
  const pipelineName = env[ENV.pipelineName] || approval?.pipeline?.name;
  return {
    approvers: approval?.approvers ?? [],
    overriders: approval?.overriders ?? [],
    requiredApprovals: approval?.requiredApprovals ?? 1,
    expiresAfterHours: approval?.expiresAfterHours ?? 24,
    authorMayApprove: approval?.authorMayApprove ?? false,
    personRoles: approval?.personRoles ?? [],
    url: env[ENV.approvalUrl] || approval?.url,
    readers: approval?.readers ?? [],
    pipeline: pipelineName
      ? {
          name: pipelineName,
          stage: approval?.pipeline?.stage ?? 'Approval',
          action: approval?.pipeline?.action ?? 'Approve',
          region: approval?.pipeline?.region ?? region,
        }
      : undefined,
  };
}

/** Loads uigate.config.* from rootDir (or the given file); a missing file means defaults. */
export async function loadConfig(
  rootDir: string,
  file?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedConfig> {
  // Playwright's users know `-c` as theirs: `-c playwright.ci.config.ts` names Playwright's
  // config, used with the project's own uigate config (or none).
  if (file && isPlaywrightConfigName(file)) {
    const playwrightConfig = resolve(rootDir, file);
    if (!existsSync(playwrightConfig))
      throw new ConfigError(`Playwright config ${playwrightConfig} does not exist; pass an existing file to --config`);
    return { ...(await loadConfig(rootDir, undefined, env)), playwrightConfig };
  }
  const path = file
    ? resolve(rootDir, file)
    : CONFIG_FILES.map((name) => resolve(rootDir, name)).find((name) => existsSync(name));
  if (!path) return resolveConfig({}, rootDir, env);
  if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist; pass an existing file to --config`);
  let loaded: unknown;
  try {
    const module = await importConfigModule(path);
    loaded = module.default;
    // A file compiled as CommonJS (no "type": "module" nearby) nests its default export once more.
    if (loaded && typeof loaded === 'object' && Object.keys(loaded).length === 1 && 'default' in loaded)
      loaded = (loaded as { default: unknown }).default;
  } catch (error) {
    const lines = String((error as Error).message ?? error)
      .split('\n')
      .filter((line) => line.trim());
    // esbuild says "Transform failed with 1 error:" first and the file:line:column after it.
    const detail = lines.find((line) => /ERROR:/.test(line)) ?? lines[0];
    throw new ConfigError(`${path} could not be loaded: ${detail?.trim()}`);
  }
  if (loaded === undefined)
    throw new ConfigError(`${path}: export the config as default: export default defineConfig({ ... })`);
  return resolveConfig(validateConfig(loaded, path), rootDir, env, path);
}

/**
 * Reads the configuration in Lambda, where there is no uigate.config.ts: the stack passes what a
 * function needs (gate, approval, notify) as JSON in UIGATE_CONFIG, validated exactly as the file
 * would be.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  let parsed: unknown = {};
  const text = env[ENV.config];
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`UIGATE_CONFIG is not JSON: ${(error as Error).message}`);
    }
  }
  return resolveConfig(validateConfig(parsed, ENV.config), '/tmp', env);
}

/** Reads UIGATE_RETENTION_DAYS, when it is a whole number of days; a process started by uigate gets it so. */
function retentionFromEnv(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1)
    throw new ConfigError(`${ENV.retentionDays} must be a whole number of days, got "${text.slice(0, 20)}"`);
  return days;
}
