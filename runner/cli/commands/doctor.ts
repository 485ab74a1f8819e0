// `uigate doctor --aws`: checks the account uigate was deployed to — quotas, the executor's
// browser, the gate as the pipeline applied it, a rollback drill through CloudFront — printing
// each with ✓, ✗ or – and what to do. Exit 0 when nothing failed, 1 when something did.
import { loadConfig } from '../../config/config.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { formatOutcome, runChecks } from '../../doctor/check.ts';
import { awsChecks, awsClients, type AwsDoctorOptions } from '../../doctor/aws-doctor.ts';
import type { CommandIO } from '../io.ts';
import { regionChoice } from '../../aws/region.ts';

export interface DoctorFlags {
  config?: string;
  aws?: boolean;
  pipeline: string;
  site?: string;
  siteUrl?: string;
}

function siteOf(flags: DoctorFlags): AwsDoctorOptions['site'] {
  if (!flags.site && !flags.siteUrl) return undefined;
  const bucket = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?$/.exec(flags.site ?? '')?.[1];
  if (!bucket) throw new UsageError('--site takes the site bucket as s3://<bucket>, with --site-url');
  if (!/^https:\/\/[^/]+/.test(flags.siteUrl ?? ''))
    throw new UsageError('--site-url takes the site’s CloudFront URL, e.g. https://d111111abcdef8.cloudfront.net');
  return { bucket, url: flags.siteUrl! };
}

export async function doctorCommand(flags: DoctorFlags, io: CommandIO): Promise<number> {
  if (!flags.aws)
    throw new UsageError(
      'uigate doctor checks an AWS account: run `uigate doctor --aws` with that account’s credentials',
    );
  const options: AwsDoctorOptions = { pipelineName: flags.pipeline, site: siteOf(flags) };
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const region = regionChoice();
  if (region) io.stdout.write(`AWS region ${region.region} (${region.from})\n\n`);
  const clients = awsClients(config, options);
  try {
    const report = await runChecks(awsChecks(config, options, clients), (name, outcome) =>
      io.stdout.write(`${formatOutcome(name, outcome)}\n`),
    );
    const passedCount = report.results.length - report.failures - report.skips;
    io.stdout.write(`\n${passedCount} passed, ${report.failures} failed, ${report.skips} not checked\n`);
    return report.failures ? EXIT.testsFailed : EXIT.ok;
  } finally {
    await clients.close();
  }
}
