// Local approver identities: each named approver holds a random token, kept in
// .uigate/approvers.json (mode 600, created on first use). The CLI and the status site both accept an
// approver only through a token found there; in AWS the caller's IAM identity takes this place.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, UsageError } from '../core/errors.ts';
import { ENV } from '../core/env.ts';
import { personOf, type Person } from './person.ts';

export interface LocalApprover {
  name: string;
  token: string;
}

type TokenFile = { approvers: Record<string, { token: string; createdAt: string }> };

const NAME_PATTERN = /^[A-Za-z0-9._@+-]{1,128}$/;
export const TOKEN_PATTERN = /^uig_[A-Za-z0-9_-]{43}$/;

export const tokenFileOf = (home: string) => resolve(home, 'approvers.json');

/** Names the approver to act as: --as, else UIGATE_APPROVER, else the login name. */
export function approverName(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const name = explicit || env[ENV.approver] || userInfo().username;
  if (!NAME_PATTERN.test(name))
    throw new UsageError(
      `approver name "${name.slice(0, 40)}" is not allowed: use letters, digits and . _ @ + - (at most 128)`,
    );
  return name;
}

async function readTokens(file: string): Promise<TokenFile> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { approvers: {} };
    throw error;
  }
  // As ssh does with keys: a token file others can read is not a secret any more.
  if (mode & 0o077)
    throw new ConfigError(
      `${file} is readable by others (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${file}\``,
    );
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as TokenFile;
    if (!parsed || typeof parsed.approvers !== 'object') throw new Error('no "approvers" object');
    return parsed;
  } catch (error) {
    throw new ConfigError(
      `${file} is not a uigate approver file (${(error as Error).message}); move it away and a new one is created on first use`,
    );
  }
}

/** Reads the named approver's token, creating it (and the file with it, mode 600) on first use. */
export async function localApprover(home: string, name: string): Promise<LocalApprover> {
  const file = tokenFileOf(home);
  const tokens = await readTokens(file);
  // Own keys only: a name like "__proto__" is a name, not a way into Object.prototype.
  const existing = Object.hasOwn(tokens.approvers, name) ? tokens.approvers[name] : undefined;
  if (existing) return { name, token: existing.token };
  const token = `uig_${randomBytes(32).toString('base64url')}`;
  Object.defineProperty(tokens.approvers, name, {
    value: { token, createdAt: new Date().toISOString() },
    enumerable: true,
    configurable: true,
    writable: true,
  });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(tokens, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return { name, token };
}

/** Finds the approver a token belongs to, or undefined, comparing in constant time whatever it holds. */
export async function authenticateToken(home: string, token: string | undefined): Promise<string | undefined> {
  if (!token || !TOKEN_PATTERN.test(token)) return undefined;
  const tokens = await readTokens(tokenFileOf(home));
  const given = Buffer.from(token);
  let found: string | undefined;
  for (const [name, entry] of Object.entries(tokens.approvers)) {
    const known = Buffer.from(entry.token);
    if (known.length === given.length && timingSafeEqual(known, given)) found = name;
  }
  return found;
}

/**
 * The person behind a local approver: the OS login holding the token file (mode 600, so only it, or
 * root, reads it). Whoever can read the file can act under any name in it, so every name counts as
 * that one person: locally, N-of-M needs N logins with their own files, and `--as` cannot get round
 * the author rule.
 */
export const localPerson = (name: string): Person => personOf(name, {}, { login: userInfo().username });
