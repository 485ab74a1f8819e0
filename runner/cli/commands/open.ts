// `uigate open [--run <id>]`: a sign-in link to the status site in AWS. Browsers cannot sign with
// IAM, so the approval function (AWS_IAM URL) is asked for a link with the caller's credentials;
// following it within five minutes starts a 12-hour session (status-site/read-access.ts).
import { loadConfig } from '../../config/config.ts';
import { EXIT, InfraError, UsageError } from '../../core/errors.ts';
import { postSigned } from '../../gate/signed-approval.ts';
import { parseRunId } from '../../core/model.ts';
import type { CommandIO } from '../io.ts';

export interface OpenFlags {
  config?: string;
  run?: string;
}

type SignIn = { url?: string; reader?: string; expiresInSeconds?: number };

export async function openCommand(flags: OpenFlags, io: CommandIO): Promise<number> {
  if (flags.run) parseRunId(flags.run);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const functionUrl = config.approval.url;
  if (!functionUrl)
    throw new UsageError(
      'approval.url (or UIGATE_APPROVAL_URL) is not set: sign-in links come from the approval function in AWS; `npx uigate serve` on this machine needs none',
    );
  const next = flags.run ? `/runs/${flags.run}` : '/';
  const { status, body } = await postSigned<SignIn>(
    functionUrl,
    '/api/session',
    { next },
    'session',
    config.notify.region,
  ).catch((error: Error) => {
    throw new InfraError(`could not reach the approval function at ${functionUrl}: ${error.message}`);
  });
  if (status >= 500) throw new InfraError(`sign-in failed: ${body.error ?? `HTTP ${status}`}`);
  if (status !== 200 || !body.url) {
    throw new UsageError(
      `sign-in refused: ${body.error ?? `HTTP ${status}`}${status === 403 && !body.error ? ' (is your role allowed lambda:InvokeFunctionUrl and lambda:InvokeFunction on the approval function?)' : ''}`,
    );
  }
  io.stderr.write(
    `sign-in link for ${body.reader}: open it within ${Math.round((body.expiresInSeconds ?? 300) / 60)} minutes; the session it starts lasts 12 hours\n`,
  );
  io.stdout.write(`${body.url}\n`);
  return EXIT.ok;
}
