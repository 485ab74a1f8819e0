// `uigate promote --release <runId> --target <spec> --from <dir>`: stages the release's files on the
// target under their own prefix, makes it live, and records it (the pipeline's Deploy step).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { loadApproval } from '../../gate/approvals.ts';
import { openStore } from '../../store/open-store.ts';
import { siteDigest } from '../../verify/digest.ts';
import { LambdaAliasTarget } from '../../verify/lambda-alias-target.ts';
import { createNotifier, runLink } from '../../notify/from-config.ts';
import { promote } from '../../verify/verify.ts';
import { parseRunId } from '../../core/model.ts';
import { targetOfFlags, type TargetFlags } from '../target-flags.ts';
import type { CommandIO } from '../io.ts';

export interface PromoteFlags extends TargetFlags {
  config?: string;
  release: string;
  from?: string;
}

export async function promoteCommand(flags: PromoteFlags, io: CommandIO): Promise<number> {
  const runId = parseRunId(flags.release);
  const from = flags.from ? resolve(io.cwd, flags.from) : undefined;
  if (from && !existsSync(from)) throw new UsageError(`--from ${from} does not exist`);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  // Parsed before anything is read: a bad --target is bad input whatever the store holds.
  const target = targetOfFlags(flags, config, io);
  if (!from && target instanceof LambdaAliasTarget)
    throw new UsageError(`--from <dir> is required: ${target.name} is promoted from the function's folder`);
  const { store } = await openStore(config.store);
  try {
    const run = await store.getRun(runId);
    if (!run) throw new UsageError(`no run ${runId} in the store`);
    // Only what was approved, and only the artifact it was approved for.
    const approval = await loadApproval(store, runId);
    if (approval.state !== 'approved')
      throw new UsageError(`run ${runId} is not approved (approval: ${approval.state}); nothing is promoted`);
    const digest = approval.request?.release.artifactDigest;
    // Fail closed: an approval that names no artifact cannot vouch for the folder given.
    if (from && !digest)
      throw new UsageError(
        `run ${runId} was approved without an artifact digest (UIGATE_ARTIFACT_DIGEST was not set when it ran), so nothing binds it to ${from}; nothing is promoted — run the tests with UIGATE_ARTIFACT_DIGEST="$(npx uigate digest <folder>)" and approve that run`,
      );
    if (from && digest && (await siteDigest(from)) !== digest)
      throw new UsageError(
        `${from} is not the artifact run ${runId} was approved for (${digest.slice(0, 19)}…); nothing is promoted`,
      );
    const { releaseId, previous } = await promote({
      store,
      target,
      release: { releaseId: runId, run },
      fromDir: from,
      actor: 'uigate promote',
      tell: { notifier: createNotifier(config, io.stderr), link: runLink(config, runId) },
    });
    const as = releaseId === runId ? '' : ` as version ${releaseId}`;
    io.stderr.write(`promoted ${runId} on ${target.name}${as}${previous ? ` (was ${previous})` : ''}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** Prints the digest approvals are bound to (`uigate digest <dir>`), the same on every machine. */
export async function digestCommand(dir: string, io: CommandIO): Promise<number> {
  const path = resolve(io.cwd, dir);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist`);
  if (!statSync(path).isDirectory())
    throw new UsageError(`${path} is not a folder: uigate digest takes the release's folder, e.g. uigate digest dist`);
  io.stdout.write(`${await siteDigest(path)}\n`);
  return EXIT.ok;
}
