// Test helper: every request a mocked AWS client was sent, checked against botocore's model of its
// operation (botocore/data/<service>/<version>/service-2.json, as the AWS CLI ships it): required
// members, unknown members, types, enums, lengths, ranges and patterns. Mocks answer whatever they
// are told; this is what AWS would have refused. Where botocore is not installed (a user's
// machine) the check is skipped with one line; in CI (CI=true) its absence fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { recordOracle } from './oracles.ts';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

interface Model {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

const INSTALL = 'botocore (it comes with the AWS CLI v1: pip install awscli), importable by python3';
let dataDir: string | undefined | null = null;

/** botocore's data folder, or undefined (with one line on stderr) when it cannot be found; throws in CI. */
export function botocoreData(): string | undefined {
  if (dataDir !== null) return dataDir;
  const found = spawnSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  });
  const dir = found.status === 0 ? join(found.stdout.trim(), 'data') : undefined;
  recordOracle("botocore's models", Boolean(dir && existsSync(dir)));
  if (dir && existsSync(dir)) return (dataDir = dir);
  const reason = `botocore is not installed: install ${INSTALL}`;
  if (process.env.CI) throw new Error(`${reason} — CI requires it`);
  process.stderr.write(`skipped: checks of mocked AWS requests against botocore's models (${reason})\n`);
  return (dataDir = undefined);
}

const models = new Map<string, Model>();

/** The newest model botocore has of a service (its folder name: codepipeline, service-quotas, …). */
export function modelOf(service: string): Model | undefined {
  const data = botocoreData();
  if (!data) return undefined;
  if (!models.has(service)) {
    const versions = readdirSync(join(data, service)).sort();
    const dir = join(data, service, versions.at(-1)!);
    const file = readdirSync(dir).find((name) => name.startsWith('service-2.json'));
    if (!file) throw new Error(`botocore has no service-2.json for ${service} in ${dir}`);
    const raw = readFileSync(join(dir, file));
    models.set(service, JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as Model);
  }
  return models.get(service);
}

/** What AWS would refuse in this request to `operation`, one line per problem; none when it is well formed. */
export function problemsOf(service: string, operation: string, input: unknown): string[] {
  const model = modelOf(service);
  if (!model) return [];
  const op = model.operations[operation];
  if (!op) return [`${service} has no operation ${operation}`];
  if (!op.input) return [];
  const problems: string[] = [];
  check(model, op.input.shape, input ?? {}, operation, problems);
  return problems;
}

function check(model: Model, name: string, value: unknown, path: string, problems: string[]): void {
  const shape = model.shapes[name]!;
  const fail = (why: string): void => void problems.push(`${path}: ${why}`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a structure');
      const members = shape.members ?? {};
      for (const required of shape.required ?? [])
        if ((value as Record<string, unknown>)[required] === undefined) fail(`required member ${required} missing`);
      for (const [key, member] of Object.entries(value)) {
        if (member === undefined) continue;
        if (!members[key]) fail(`unknown member ${key}`);
        else check(model, members[key].shape, member, `${path}.${key}`, problems);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return fail('not a list');
      bounded(shape, value.length, fail, 'items');
      value.forEach((item, i) => check(model, shape.member!.shape, item, `${path}[${i}]`, problems));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null) return fail('not a map');
      bounded(shape, Object.keys(value).length, fail, 'entries');
      for (const [key, entry] of Object.entries(value)) {
        check(model, shape.key!.shape, key, `${path} key`, problems);
        check(model, shape.value!.shape, entry, `${path}.${key}`, problems);
      }
      return;
    case 'string':
      return checkString(shape, value, fail);
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) return fail(`not an integer: ${String(value)}`);
      return ranged(shape, value as number, fail);
    case 'double':
    case 'float':
      if (typeof value !== 'number') return fail('not a number');
      return ranged(shape, value, fail);
    case 'boolean':
      if (typeof value !== 'boolean') fail('not a boolean');
      return;
    case 'timestamp':
      if (!(value instanceof Date) && typeof value !== 'number' && typeof value !== 'string') fail('not a time');
      return;
    case 'blob':
      if (!(value instanceof Uint8Array) && typeof value !== 'string') fail('not bytes');
      if (value instanceof Uint8Array || typeof value === 'string') bounded(shape, value.length, fail, 'bytes');
      return;
  }
}

function checkString(shape: Shape, value: unknown, fail: (why: string) => void): void {
  if (typeof value !== 'string') return fail(`not a string: ${JSON.stringify(value)}`);
  if (shape.enum && !shape.enum.includes(value)) fail(`"${value}" is not one of ${shape.enum.join(', ')}`);
  bounded(shape, [...value].length, fail, 'characters');
  if (shape.pattern) {
    let pattern: RegExp | undefined;
    try {
      // AWS matches the whole value; botocore's patterns are Java regexes, nearly always valid here too.
      pattern = new RegExp(`^(?:${shape.pattern})$`, 'u');
    } catch {
      pattern = undefined;
    }
    if (pattern && !pattern.test(value)) fail(`"${value.slice(0, 80)}" does not match ${shape.pattern}`);
  }
}

function bounded(shape: Shape, length: number, fail: (why: string) => void, unit: string): void {
  if (shape.min !== undefined && length < shape.min) fail(`${length} ${unit}, fewer than ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) fail(`${length} ${unit}, more than ${shape.max}`);
}

function ranged(shape: Shape, value: number, fail: (why: string) => void): void {
  if (shape.min !== undefined && value < shape.min) fail(`${value} is below ${shape.min}`);
  if (shape.max !== undefined && value > shape.max) fail(`${value} is above ${shape.max}`);
}

/** A mocked client's calls as aws-sdk-client-mock records them. */
interface RecordedCalls {
  calls(): { args: unknown[] }[];
}

/** Every request the mock was sent, as "Operation: problem" lines; none when AWS would take them all. */
export function requestProblems(mock: RecordedCalls, service: string): string[] {
  return mock.calls().flatMap((call) => {
    const command = call.args[0] as { input?: unknown; constructor: { name: string } };
    const operation = command.constructor.name.replace(/Command$/, '');
    return problemsOf(service, operation, command.input);
  });
}

/** aws-sdk-client-mock's stub, as far as this check uses it. */
interface Mock extends RecordedCalls {
  reset(): unknown;
  send: { resetHistory(): void };
}

/**
 * Checks every request the mock is sent against botocore's model of `service`, including those a
 * test clears with `reset()` before the check. Returns the check: it throws, naming each request
 * AWS would refuse, and forgets the requests it has checked. Call it after each test.
 */
export function checkRequests(mock: Mock, service: string): () => void {
  const seen: string[] = [];
  const reset = mock.reset.bind(mock);
  mock.reset = () => {
    seen.push(...requestProblems(mock, service));
    return reset();
  };
  return () => {
    const problems = [...seen, ...requestProblems(mock, service)];
    seen.length = 0;
    mock.send.resetHistory();
    if (problems.length)
      throw new Error(`requests AWS would refuse (botocore's ${service} model):\n${problems.join('\n')}`);
  };
}
