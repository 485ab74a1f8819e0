// What `uigate doctor` reports: each check passes, fails or is skipped, says what it saw, and for
// anything short of a pass, what to do. A check that throws is a failure with the error's words,
// never a crash of the others.

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was seen, in one line. */
  detail: string;
  /** What to do about it. */
  fix?: string;
}

export interface Check {
  name: string;
  run(): Promise<CheckOutcome>;
}

export const passed = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const failed = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });
export const skipped = (detail: string, fix?: string): CheckOutcome => ({ status: 'skip', detail, fix });

/** Explains what an AWS error means for the user: which permission or resource is missing. */
export function explainAwsError(error: unknown): CheckOutcome {
  const { name = 'Error', message = String(error) } = error as { name?: string; message?: string };
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name))
    return failed(`${name}: ${message}`, 'run the doctor with credentials allowed the call named above');
  if (/ResourceNotFound|NotFound|NoSuch/i.test(name))
    return failed(
      `${name}: ${message}`,
      'deploy the stack (cdk deploy) in this account and region, or name the resource',
    );
  if (/CredentialsProviderError|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/i.test(name))
    return failed(`${name}: ${message}`, 'give the doctor AWS credentials: AWS_PROFILE, or aws sso login');
  if (/ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(message))
    return failed(
      `${name}: ${message}`,
      'AWS is not reachable from here: check the network, a proxy (HTTPS_PROXY), or the region',
    );
  if (/Throttl|TooManyRequests|Rate exceeded/i.test(`${name} ${message}`))
    return failed(`${name}: ${message}`, 'AWS is throttling this account; run the doctor again in a minute');
  return failed(`${name}: ${message}`, 'see the message; run again with AWS_REGION set to the stack’s region');
}

export interface DoctorReport {
  results: { name: string; outcome: CheckOutcome }[];
  failures: number;
  skips: number;
}

/** Runs the checks one after another; a check that needs one that failed is skipped, not run. */
export async function runChecks(
  checks: readonly (Check & { needs?: string })[],
  report: (name: string, outcome: CheckOutcome) => void,
): Promise<DoctorReport> {
  const results: DoctorReport['results'] = [];
  const status = new Map<string, CheckStatus>();
  for (const check of checks) {
    const outcome =
      check.needs && status.get(check.needs) !== 'pass'
        ? skipped(`needs "${check.needs}" to pass first`)
        : await check.run().catch(explainAwsError);
    status.set(check.name, outcome.status);
    results.push({ name: check.name, outcome });
    report(check.name, outcome);
  }
  const count = (wanted: CheckStatus) => results.filter(({ outcome }) => outcome.status === wanted).length;
  return { results, failures: count('fail'), skips: count('skip') };
}

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', skip: '–' };

export function formatOutcome(name: string, outcome: CheckOutcome): string {
  const head = `${MARK[outcome.status]} ${name}: ${outcome.detail}`;
  return outcome.fix ? `${head}\n    → ${outcome.fix}` : head;
}
