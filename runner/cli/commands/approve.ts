// `uigate approve` / `uigate reject --run <id> --comment ...`, `uigate approval --run <id>` and
// `uigate approver token`: decisions by an identified approver — locally a named approver with a
// token in .uigate/approvers.json, in AWS the caller's IAM identity — checked against the allow-list.
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadConfig, type ResolvedConfig } from '../../config/config.ts';
import { EXIT, InfraError, UsageError } from '../../core/errors.ts';
import { decide, loadApproval, type ApprovalView } from '../../gate/approvals.ts';
import { CodePipelineApproval } from '../../gate/codepipeline.ts';
import { approverName, authenticateToken, localApprover, localPerson } from '../../gate/identity.ts';
import type { Person } from '../../gate/person.ts';
import { createNotifier, runLink } from '../../notify/from-config.ts';
import { postSignedApproval } from '../../gate/signed-approval.ts';
import { openStore } from '../../store/open-store.ts';
import { parseRunId } from '../../core/model.ts';
import { artifactStoreOf } from '../../artifacts/from-env.ts';
import { loadVisualReview, type ImageReader, type VisualAnswer } from '../../gate/visual-decisions.ts';
import { undecided, type ReviewedItem } from '../../gate/visual-review.ts';
import type { CommandIO } from '../io.ts';

export interface DecideFlags {
  config?: string;
  run: string;
  comment?: string;
  as?: string;
  override?: boolean;
  commit?: string;
  json?: boolean;
  /** `all`, or comma-separated fingerprints of screenshot changes. */
  acceptVisual?: string;
  rejectVisual?: string;
}

/** The flags' answers on a run's screenshot changes, as the approval side takes them. */
function visualAnswerOf(flags: DecideFlags): VisualAnswer | undefined {
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((fp) => fp.trim())
      .filter(Boolean);
  if (flags.acceptVisual === undefined && flags.rejectVisual === undefined) return undefined;
  return {
    ...(flags.acceptVisual?.trim() === 'all'
      ? { accept: 'all' as const }
      : flags.acceptVisual
        ? { accept: list(flags.acceptVisual) }
        : {}),
    ...(flags.rejectVisual ? { reject: list(flags.rejectVisual) } : {}),
  };
}

/** The release pipeline waiting on the approval, when the config names one. */
const pipelineOf = (config: ResolvedConfig) =>
  config.approval.pipeline
    ? new CodePipelineApproval(
        new CodePipelineClient({ region: config.approval.pipeline.region }),
        config.approval.pipeline,
      )
    : undefined;

/** Reads the run's stored images, for the screenshot changes' fingerprints; undefined where there is no artifact store. */
function imageReader(config: ResolvedConfig): { read?: ImageReader; close(): void } {
  const artifacts = artifactStoreOf(config.artifacts);
  return { read: artifacts?.read && ((key) => artifacts.read!(key)), close: () => artifacts?.close?.() };
}

/** Local stores mean local approvers; a store in AWS means the caller's IAM identity. */
const usesIam = (config: ResolvedConfig) => !config.store.embedded && !config.store.endpoint;

async function identify(
  config: ResolvedConfig,
  flags: { as?: string },
  io: CommandIO,
): Promise<{ approver: string; person?: Person }> {
  if (usesIam(config)) {
    if (flags.as) throw new UsageError('--as names a local approver; against AWS you approve as your IAM identity');
    const { Arn } = await new STSClient({ region: config.notify.region })
      .send(new GetCallerIdentityCommand({}))
      .catch((error: Error) => {
        throw new InfraError(`could not tell who you are in AWS (sts:GetCallerIdentity): ${error.message}`);
      });
    return { approver: Arn! };
  }
  const { token } = await localApprover(config.home, approverName(flags.as, io.env));
  // The CLI proves identity the way the status site does: by the token, not by the name given.
  const name = await authenticateToken(config.home, token);
  if (!name)
    throw new UsageError(
      'the local approver token did not authenticate; remove .uigate/approvers.json to issue a new one',
    );
  return { approver: name, person: localPerson(name) };
}

export async function decideCommand(
  decision: 'approved' | 'rejected',
  flags: DecideFlags,
  io: CommandIO,
): Promise<number> {
  parseRunId(flags.run);
  if (!flags.comment?.trim())
    throw new UsageError(
      `--comment is required: say why you ${decision === 'approved' ? 'approve' : 'reject'} (it goes into the audit trail)`,
    );
  const config = await loadConfig(io.cwd, flags.config, io.env);
  if (usesIam(config) && config.approval.url) return decideSigned(decision, flags, config, io);
  if (config.approval.approvers.length === 0)
    throw new UsageError(
      'no approvers are configured: add approval: { approvers: ["<name or IAM ARN>"] } to uigate.config.ts',
    );
  const { approver, person } = await identify(config, flags, io);
  const { store } = await openStore(config.store);
  const images = imageReader(config);
  try {
    const pipeline = pipelineOf(config);
    const result = await decide(
      {
        runId: flags.run,
        approver,
        ...(person ? { person } : {}),
        decision,
        comment: flags.comment,
        override: flags.override,
        commit: flags.commit,
        visual: visualAnswerOf(flags),
      },
      {
        store,
        settings: config.approval,
        pipeline,
        notifier: createNotifier(config, io.stderr),
        link: (runId) => runLink(config, runId),
        images: images.read,
      },
    ).catch((error: Error) => {
      throw new InfraError(`the vote is recorded but the pipeline did not take it: ${error.message}`);
    });
    if (!result.ok)
      throw new UsageError(`${decision === 'approved' ? 'approval' : 'rejection'} refused: ${result.reason}`);
    if (result.note) io.stderr.write(`${result.note}\n`);
    io.stderr.write(
      `${result.duplicate ? 'already recorded' : 'recorded'}: ${approver} ${decision} run ${flags.run}; request ${result.view.state}\n`,
    );
    if (flags.json) io.stdout.write(JSON.stringify(result.view) + '\n');
    return EXIT.ok;
  } finally {
    await store.close();
    images.close();
  }
}

/** Asks the approval function in AWS to decide: it knows the caller from the signature; nothing is written here. */
async function decideSigned(
  decision: 'approved' | 'rejected',
  flags: DecideFlags,
  config: ResolvedConfig,
  io: CommandIO,
): Promise<number> {
  if (flags.as) throw new UsageError('--as names a local approver; against AWS you approve as your IAM identity');
  const body = {
    decision,
    comment: flags.comment,
    ...(flags.override ? { override: true } : {}),
    ...(flags.commit ? { commit: flags.commit } : {}),
    ...(visualAnswerOf(flags) ? { visual: visualAnswerOf(flags) } : {}),
  };
  const { status, body: answer } = await postSignedApproval(
    config.approval.url!,
    flags.run,
    body,
    config.notify.region,
  ).catch((error: Error) => {
    throw new InfraError(`could not reach the approval function at ${config.approval.url}: ${error.message}`);
  });
  const what = decision === 'approved' ? 'approval' : 'rejection';
  if (status >= 500) throw new InfraError(`${what} failed: ${answer.error ?? `HTTP ${status}`}`);
  if (status !== 200)
    throw new UsageError(
      `${what} refused: ${answer.error ?? `HTTP ${status}`}${status === 403 && !answer.error ? ' (is your role allowed lambda:InvokeFunctionUrl and lambda:InvokeFunction on the approval function?)' : ''}`,
    );
  io.stderr.write(
    `${answer.duplicate ? 'already recorded' : 'recorded'}: ${answer.approver} ${decision} run ${flags.run}; request ${answer.state}\n`,
  );
  if (flags.json) io.stdout.write(JSON.stringify(answer) + '\n');
  return EXIT.ok;
}

export function formatApproval(view: ApprovalView): string {
  if (!view.request) return `run ${view.runId}: no approval requested`;
  const lines = [
    `run ${view.runId}: ${view.state}${view.supersededBy ? ` (by run ${view.supersededBy})` : ''}${view.state === 'pending' ? `, expires ${view.request.expiresAt}` : ''}`,
    `  release: commit ${view.request.release.commit}${view.request.release.artifactDigest ? `, artifact ${view.request.release.artifactDigest}` : ''}${view.request.release.pipelineExecutionId ? `, execution ${view.request.release.pipelineExecutionId}` : ''}`,
    `  gate: ${view.gate?.passed ? 'passed' : 'FAILED'}; approvals needed: ${view.request.requiredApprovals}${view.request.author ? `; author ${view.request.author}` : ''}`,
    ...view.votes.map(
      (vote) => `  ${vote.at} ${vote.approver} ${vote.decision}${vote.override ? ' (override)' : ''}: ${vote.comment}`,
    ),
    ...visualLines(view),
  ];
  return lines.join('\n');
}

/** The screenshot changes, a line each with its fingerprint and where it stands. */
function visualLines(view: ApprovalView): string[] {
  if (!view.visual?.length) return [];
  const state = (item: ReviewedItem) =>
    item.decided
      ? `${item.decided.decision} by ${item.decided.approver}`
      : item.alreadyAccepted
        ? `already accepted by ${item.alreadyAccepted.approver} in run ${item.alreadyAccepted.runId}`
        : 'undecided';
  return [
    `  screenshot changes (${undecided(view.visual).length} undecided):`,
    ...view.visual.map(
      (item) =>
        `    ${item.fingerprint} [${item.project}] ${item.test}: ${item.kind}${item.ratio !== undefined ? ` ${(item.ratio * 100).toFixed(2)} %` : ''}, ${item.baseline} — ${state(item)}`,
    ),
  ];
}

export async function approvalCommand(
  flags: { config?: string; run: string; json?: boolean },
  io: CommandIO,
): Promise<number> {
  parseRunId(flags.run);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const { store } = await openStore(config.store);
  try {
    const run = await store.getRun(flags.run);
    if (!run) throw new UsageError(`no run ${flags.run} in the store`);
    const view = await loadApproval(store, flags.run);
    if (view.request?.visualReview) {
      const images = imageReader(config);
      try {
        if (images.read) view.visual = await loadVisualReview(store, run, images.read);
      } finally {
        images.close();
      }
    }
    io.stdout.write(flags.json ? JSON.stringify(view) + '\n' : formatApproval(view) + '\n');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** Prints the local approver's token (created on first use) for the status site's approval panel. */
export async function approverTokenCommand(flags: { config?: string; as?: string }, io: CommandIO): Promise<number> {
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const { name, token } = await localApprover(config.home, approverName(flags.as, io.env));
  io.stderr.write(
    `token of local approver ${name} (kept in ${config.home}/approvers.json, mode 600); paste it into the status site's approval panel:\n`,
  );
  io.stdout.write(`${token}\n`);
  if (!config.approval.approvers.includes(name))
    io.stderr.write(
      `note: ${name} is not in approval.approvers of uigate.config.ts, so its decisions will be refused\n`,
    );
  return EXIT.ok;
}
