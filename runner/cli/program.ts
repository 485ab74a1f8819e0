// The `uigate` command line: parses flags, runs a command, turns typed errors into one line and
// an exit code. Stack traces are for bugs only.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import type { CommandIO } from './io.ts';
import type { RunFlags } from './commands/run.ts';
import { DEFAULT_LAMBDA_PORT, DEFAULT_PORT } from './ports.ts';
import { EXIT, isUigateError } from '../core/errors.ts';
import { executorNames } from '../executors/names.ts';
import { uigateVersion } from './version.ts';
import { resolveRegion } from '../aws/region.ts';
import { TRACE_MODES, UPDATE_SNAPSHOTS_MODES } from '../playwright/test-flags.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function positiveInt(flag: string, most = 100_000) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${flag} takes a whole number of 1 or more, e.g. ${flag} 2`);
    if (n > most) throw new InvalidArgumentError(`${flag} takes at most ${most}, got ${n}: is it a typo?`);
    return n;
  };
}

/** More Playwright workers than this on one machine is a typo: each is a process with a browser. */
const MOST_WORKERS = 256;

/** `--workers 4` or, as Playwright takes it, `--workers 50%` of this machine's cores (at least 1). */
function workersArg(value: string): number {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (!share) return positiveInt('--workers', MOST_WORKERS)(value);
  const percent = Number(share[1]);
  if (percent <= 0 || percent > 100)
    throw new InvalidArgumentError(`--workers takes a share of the cores from 1% to 100%, got ${value}`);
  return Math.max(1, Math.floor((availableParallelism() * percent) / 100));
}

function nonNegativeInt(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${flag} takes a whole number of 0 or more, e.g. ${flag} 1`);
    return n;
  };
}

function shardArg(value: string): string {
  const shard = /^(\d+)\/(\d+)$/.exec(value);
  if (!shard || Number(shard[1]) < 1 || Number(shard[1]) > Number(shard[2]))
    throw new InvalidArgumentError(
      `--shard takes current/total with 1 ≤ current ≤ total, e.g. --shard 2/4; got "${value}"`,
    );
  return value;
}

function port(value: string) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('--port takes a port number from 0 to 65535');
  return n;
}

const CONFIG_HELP =
  "uigate config file (default: uigate.config.ts if present); a playwright*.config.* file is Playwright's config, as in npx playwright test -c";

/** Adds what to run: `run`'s selection, which `pipeline` passes on to its test stage. */
function withSelection(command: Command): Command {
  return command
    .option('-c, --config <file>', CONFIG_HELP)
    .option('-m, --module <name>', 'run only this module; repeat or comma-separate for several', collect)
    .option('-p, --project <name>', 'run only this Playwright project (browser); repeatable', collect)
    .option('-g, --grep <regex>', 'run only tests whose title matches (as Playwright --grep)')
    .option('--grep-invert <regex>', 'skip tests whose title matches (as Playwright --grep-invert)')
    .option(
      '-w, --workers <n>',
      'tests at once on this machine (-j as in Playwright), a number or a share of the cores ("50%"; default: playwright.config workers, else half the cores)',
      workersArg,
    )
    .option('--retries <n>', "override Playwright's retries for failing tests", nonNegativeInt('--retries'));
}

/**
 * Playwright's short flags that uigate spells otherwise: `-j 4` (and `-j4`) is Playwright's
 * `--workers`, uigate's `-w`. Only before a `--`: what follows it is filters, passed on as given.
 */
function playwrightAliases(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const aliased = flags.flatMap((arg) =>
    arg === '-j' ? ['--workers'] : /^-j.+/.test(arg) ? ['--workers', arg.slice(2)] : [arg],
  );
  return end === -1 ? aliased : [...aliased, ...argv.slice(end)];
}

/** Sets the exit code from a command's answer: commander's actions return nothing. */
type Wire = <A extends unknown[]>(command: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

function program(io: CommandIO, exit: { code: number }) {
  const cli = new Command('uigate')
    .description('Run Playwright UI test modules in parallel, record every result, gate releases on them.')
    .version(uigateVersion(), '-V, --version', "print uigate's version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const wire: Wire =
    (command) =>
    async (...args) => {
      exit.code = await command(...args);
    };
  for (const add of [addRun, addSetup, addGate, addBaselines, addVerify, addRelease, addLambda]) add(cli, io, wire);
  return cli;
}

const CHANGED =
  "a mono-repo's change: only the tests of the components it touched (uigate.config.ts components) since base (default: each component's last passing run on the branch, else the default branch); the whole suite when a global or unmapped file changed";

/** Adds Playwright's own selection, which `uigate run` passes to Playwright's listing as given. */
function withPlaywrightSelection(command: Command): Command {
  return command
    .argument(
      '[filters...]',
      "Playwright's test filters, as `npx playwright test` takes them: a file, a folder, file:line; only the tests they match run",
    )
    .option('--shard <current/total>', "run one shard of the suite, as Playwright's --shard (e.g. 2/4)", shardArg)
    .option(
      '--only-changed [ref]',
      "only tests of files changed since ref (default HEAD), as Playwright's --only-changed",
    )
    .option('--last-failed', "only the tests that failed in Playwright's last run here, as its --last-failed")
    .option('--list', 'list the tests the run would have, as Playwright lists them, and run nothing')
    .option('--changed [base]', CHANGED);
}

/** Adds Playwright's own flags for how the tests run, which every batch's `playwright test` is given. */
function withTestFlags(command: Command): Command {
  return command
    .option('-x', "stop after the first failure, as Playwright's -x (--max-failures 1)")
    .option(
      '--max-failures <n>',
      "stop after n tests failed (after their retries), as Playwright's --max-failures; the rest are skipped",
      positiveInt('--max-failures'),
    )
    .addOption(new Option('--trace <mode>', "force Playwright's tracing mode, as its --trace").choices(TRACE_MODES))
    .option(
      '--repeat-each <n>',
      "run each test n times, as Playwright's --repeat-each",
      positiveInt('--repeat-each', 1_000),
    )
    .option(
      '--timeout <ms>',
      "each test's timeout in milliseconds (0: none), as Playwright's --timeout",
      nonNegativeInt('--timeout'),
    )
    .addOption(
      new Option(
        '-u, --update-snapshots [mode]',
        "write the snapshots Playwright compares with, as its -u (local executor only: uigate baselines accepts a run's images from anywhere)",
      )
        .choices(UPDATE_SNAPSHOTS_MODES)
        .preset('changed'),
    );
}

/** Adds where batches run: the executors, and the Lambda executor's function. */
function withExecutors(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--executor <name>',
        'where batches run: local, lambda; repeat for several, in order of preference (lambda runs chromium only)',
      )
        .argParser(collect)
        .default(undefined, 'local'),
    )
    .option(
      '--lambda-endpoint <url>',
      'Lambda-Invoke-compatible endpoint (uigate lambda serve, sam local start-lambda); default: AWS',
    )
    .option(
      '--lambda-function <name>',
      'Lambda function name or ARN (default: executors.lambda.functionName, else uigate-executor)',
    )
    .option(
      '--lambda-concurrency <n>',
      'Lambda invocations in flight at once (default 20)',
      positiveInt('--lambda-concurrency'),
    )
    .option(
      '--deadline <duration>',
      'with --executor lambda and --executor codebuild: the cheapest split of the work expected to end within this, e.g. 10m (default: dispatch.deadline, else the earliest finish)',
    );
}

/** Adds `uigate run`: its selection, executors, outputs and status site. */
function addRun(cli: Command, io: CommandIO, wire: Wire) {
  withExecutors(
    withTestFlags(
      withPlaywrightSelection(
        withSelection(
          cli
            .command('run')
            .description(
              'plan, dispatch and record a run of the test modules; exit 0 only if every selected unit passed',
            ),
        ),
      ),
    ).option(
      '--base-url <url>',
      'site under test (sets BASE_URL for playwright.config.ts); default: the sample site served locally',
    ),
  )
    .option('--json', 'print the final summary as one JSON object on stdout (progress goes to stderr)')
    .option('--junit <file>', 'also write the run as JUnit XML (for CI test reports)')
    .option(
      '--resume <runId>',
      'finish a run whose orchestrator died: keep its results, run only the units without one',
    )
    .option(
      '--rerun-failed [runId]',
      'run only the units that did not pass in that run (default: the latest finished run); with -m/-p/-g, only those of them',
    )
    .option(
      '--export <file>',
      "also write the run's id, status, counts, commit and link as shell variables (KEY='value'), for CI to source",
    )
    .option(
      '--port <n>',
      `status site port for the run's duration (default ${DEFAULT_PORT}, a free one if taken; 0 picks a free one)`,
      port,
    )
    .option('--no-serve', 'do not serve the status site during the run')
    .action(
      wire((files: string[], { x, ...flags }: RunFlags & { x?: boolean }) =>
        runAction(
          { ...flags, ...(x && !flags.maxFailures ? { maxFailures: 1 } : {}), ...(files.length ? { files } : {}) },
          io,
        ),
      ),
    );
}

async function runAction(flags: RunFlags, io: CommandIO): Promise<number> {
  // Playwright lists the suite in a process of its own, a second or more: started first, it lists
  // while this process loads the rest of `run`. A resumed run is checked before it lists.
  const started = flags.resume ? undefined : await (await import('../run/list-selection.ts')).startListing(flags, io);
  // Awaited by the run; until then a failure here must not count as unhandled.
  started?.listed.catch(() => undefined);
  // The first local batch's Playwright loads meanwhile too, and waits for its tests.
  const { WarmPool } = await import('../playwright/warm-start.ts');
  const warm = new WarmPool(io.cwd);
  if (executorNames(flags).includes('local')) warm.start();
  try {
    return await (await import('./commands/run.ts')).runCommand(flags, io, { ...started, warm });
  } finally {
    warm.close();
  }
}

/** Adds the commands that set up and serve: init, serve, and the CodeBuild worker. */
function addSetup(cli: Command, io: CommandIO, wire: Wire) {
  cli
    .command('init')
    .description(
      'set uigate up in this Playwright project: its reporter in playwright.config, a commented uigate.config.ts, .uigate/ in .gitignore (safe to run again)',
    )
    .option(
      '--playwright-config <file>',
      'the Playwright config to add the reporter to (default: playwright.config.ts or .js here)',
    )
    .action(wire(async (flags) => (await import('./commands/init.ts')).initCommand(flags, io)));

  cli
    .command('serve')
    .description('serve the status site (runs, live matrix, evidence, history) on 127.0.0.1')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--port <n>', `port (default ${DEFAULT_PORT}; 0 picks a free one)`, port)
    .option('--host <address>', 'address to bind (default 127.0.0.1; anything else exposes results to the network)')
    .action(wire(async (flags) => (await import('./commands/serve.ts')).serveCommand(flags, io)));
  cli
    .command('worker')
    .description(
      "run a run's batches in this container (what the CodeBuild buildspec runs): each batch its seat is given, until released, or one batch; reads UIGATE_RUN_ID, UIGATE_SEAT (or UIGATE_BATCH_ID, UIGATE_DISPATCH)",
    )
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--run <id>', 'run id (default UIGATE_RUN_ID)')
    .option('--seat <id>', 'seat to take batches for (default UIGATE_SEAT)')
    .option('--batch <id>', 'batch id (default UIGATE_BATCH_ID)')
    .option('--dispatch <n>', 'dispatch try (default UIGATE_DISPATCH, else 1)', positiveInt('--dispatch'))
    .action(wire(async (flags) => (await import('./commands/worker.ts')).workerCommand(flags, io)));
  cli
    .command('doctor')
    .description(
      'check the AWS account uigate is deployed to: quotas, the executor starting Chromium, the gate as the pipeline applied it, a rollback drill through CloudFront',
    )
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--aws', 'check the account of the current AWS credentials (required)')
    .option('--pipeline <name>', 'the release pipeline', 'uigate-release')
    .option(
      '--site <s3://bucket>',
      'drill a rollback on this site (stack output ProductionSiteBucket): a copy of the live release plus one file, then rolled back; users see no change',
    )
    .option('--site-url <url>', "that site's CloudFront URL (stack output ProductionSiteUrl)")
    .action(wire(async (flags) => (await import('./commands/doctor.ts')).doctorCommand(flags, io)));
}

/** Adds `approve` and `reject`: a listed approver's vote, with answers on the run's screenshot changes. */
function addDecisions(cli: Command, io: CommandIO, wire: Wire) {
  for (const [name, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    const command = cli
      .command(name)
      .description(
        `${name} a run's pending approval request, as a listed approver (local token, or your IAM identity against AWS); recorded with your comment`,
      )
      .requiredOption('--run <id>', `the run to ${name}`)
      .option('--comment <text>', 'why (required; it goes into the audit trail)')
      .option('--as <name>', 'local approver name (default UIGATE_APPROVER, else your login name)')
      .option('--commit <sha>', 'the commit you looked at; refused if the request is for another')
      .option('-c, --config <file>', CONFIG_HELP)
      .option('--json', "print the request's state as JSON on stdout")
      .option(
        '--reject-visual <fingerprints>',
        'reject these screenshot changes (comma-separated fingerprints, from uigate approval): the release is rejected with them as the reason',
      )
      .action(wire(async (flags) => (await import('./commands/approve.ts')).decideCommand(decision, flags, io)));
    if (decision === 'approved')
      command
        .option('--override', 'approve although the gate failed (needs approval.overriders); recorded as an override')
        .option(
          '--accept-visual <all|fingerprints>',
          'accept the run’s screenshot changes — all of them, or these (comma-separated, from uigate approval) — before approving',
        );
  }
}

/** Adds the gate and approvals: gate, approve, reject, approval, open, approver token. */
function addGate(cli: Command, io: CommandIO, wire: Wire) {
  cli
    .command('gate')
    .description(
      'evaluate the gate policy (uigate.config.ts `gate`) on a run: each rule, measured against its threshold; records a gate event; exit 0 if it passes, 1 if not',
    )
    .requiredOption('--run <id>', 'the run to judge')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print the decision as one JSON object on stdout')
    .option('--no-request', 'only evaluate; do not open an approval request')
    .action(wire(async (flags) => (await import('./commands/gate.ts')).gateCommand(flags, io)));

  addDecisions(cli, io, wire);
  cli
    .command('approval')
    .description("show a run's approval request: release, gate result, votes, state")
    .requiredOption('--run <id>', 'the run')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'as JSON')
    .action(wire(async (flags) => (await import('./commands/approve.ts')).approvalCommand(flags, io)));
  cli
    .command('open')
    .description(
      'print a sign-in link to the status site in AWS, for your IAM identity (asked of the approval function)',
    )
    .option('--run <id>', 'open this run once signed in')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(wire(async (flags) => (await import('./commands/open.ts')).openCommand(flags, io)));
  cli
    .command('approver')
    .description('local approver identity')
    .command('token')
    .description(
      "print the local approver's token (created on first use, kept in .uigate/approvers.json with mode 600)",
    )
    .option('--as <name>', 'approver name (default UIGATE_APPROVER, else your login name)')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(wire(async (flags) => (await import('./commands/approve.ts')).approverTokenCommand(flags, io)));
}

const DEPLOY_COMMAND_HELP =
  "for command:<name>: the shell command that deploys a release's files ($UIGATE_RELEASE_DIR), run again with the last good release's to roll back";

const INVALIDATE_HELP =
  'for s3://<bucket> or command:<name>: the CloudFront distribution in front of the site; its entry paths are invalidated after each promotion and rollback, and waited for';

const KEEP_RELEASES_HELP =
  "for command:<name>: where each release's files are kept for a rollback, s3://<bucket>[/<prefix>] or a folder (default: the artifacts folder or bucket)";

/** Adds what follows promotion: verify (pre-flight and bake). */
function addVerify(cli: Command, io: CommandIO, wire: Wire) {
  cli
    .command('verify')
    .description(
      'after promotion, bake: @smoke tests against production, metrics to CloudWatch, every alarm watched for the whole window; roll back on any alarm. With --preflight, before promotion: can the alarms see anything?',
    )
    .requiredOption(
      '--release <id>',
      'the release on the target (the approved run id for sites, a version for a Lambda alias)',
    )
    .option('--run <id>', 'the approved run, when the release id is not a run id')
    .option(
      '--target <spec>',
      'where it is live: local:<dir>, s3://<bucket>, lambda:<function>:<alias>, command:<name>',
    )
    .option('--deploy-command <command>', DEPLOY_COMMAND_HELP)
    .option('--keep-releases <where>', KEEP_RELEASES_HELP)
    .option('--invalidate <distribution>', INVALIDATE_HELP)
    .option('--alarm <name>', 'a CloudWatch alarm to watch; repeatable', collect)
    .option('--bake <duration>', 'how long to watch (default 10m)')
    .option('--poll <duration>', 'time between checks (default 30s)')
    .option(
      '--smoke-url <url>',
      "run the project's @smoke tests against this URL at each check, publishing SmokeFailures and SmokeLatency (namespace uigate)",
    )
    .option('--insufficient-data <meaning>', 'what INSUFFICIENT_DATA during the bake means: breach (default) or ok')
    .option(
      '--preflight',
      'only check that the alarms exist, are armed, fed and not firing; exit 1 blocks promotion (with --target: nothing to check while nothing uigate released is live there)',
    )
    .option(
      '--preflight-wait <duration>',
      'how long pre-flight waits for alarms still without data to see the probe it published (default 3m with --smoke-url, else 0s)',
    )
    .option('-c, --config <file>', CONFIG_HELP)
    .action(wire(async (flags) => (await import('./commands/verify.ts')).verifyCommand(flags, io)));
}

/** Adds the release commands: promote, digest, and the whole pipeline on this machine. */
function addRelease(cli: Command, io: CommandIO, wire: Wire) {
  cli
    .command('promote')
    .description(
      'make an approved release live on a production target (staged under its own prefix first), and record it',
    )
    .requiredOption('--release <runId>', 'the approved run')
    .requiredOption('--target <spec>', 'local:<dir>, s3://<bucket>, lambda:<function>:<alias> or command:<name>')
    .option('--deploy-command <command>', DEPLOY_COMMAND_HELP)
    .option('--keep-releases <where>', KEEP_RELEASES_HELP)
    .option('--invalidate <distribution>', INVALIDATE_HELP)
    .option(
      '--from <dir>',
      "the release's files (a site's folder, a Lambda function's code); must match the approved artifact digest",
    )
    .option('-c, --config <file>', CONFIG_HELP)
    .action(wire(async (flags) => (await import('./commands/promote.ts')).promoteCommand(flags, io)));

  cli
    .command('affected')
    .description(
      "a mono-repo's change: the files changed since a base, the components they touched, and whether that means the whole suite",
    )
    .option('--base <ref>', 'compare with this commit (from its merge base with head; default: the default branch)')
    .option('--head <ref>', 'the change (default HEAD)')
    .option('--json', 'print { base, head, files, components, wholeSuite, reason } as JSON')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(wire(async (flags) => (await import('./commands/affected.ts')).affectedCommand(flags, io)));

  cli
    .command('digest <dir>')
    .description(
      'print the digest of a site release (what an approval is bound to; set it as UIGATE_ARTIFACT_DIGEST for the run)',
    )
    .action(wire(async (dir) => (await import('./commands/promote.ts')).digestCommand(dir, io)));

  withSelection(cli.command('pipeline'))
    .description(
      'the release pipeline on this machine: candidate site → uigate run → gate → approval → promote to a local production site → bake with @smoke tests and a local alarm → roll back on alarm',
    )
    .option('--local', 'run every stage on this machine (the only mode here; in AWS it is CodePipeline)')
    .option('--approve', 'approve as the local approver, so the flow runs unattended (CI, demos)')
    .option('--break-after-promote', 'break the promoted release on purpose, to watch the alarm fire and the rollback')
    .option('--bake <duration>', 'how long production is watched after promotion (default 20s)')
    .option('--site <dir>', 'the site to release (default tests/site)')
    .option('--changed [base]', `${CHANGED} — the gate then refuses it for production, as it would in AWS`)
    .option('--as <name>', 'local approver name for --approve (default UIGATE_APPROVER, else your login name)')
    .option('--port <n>', `status site port (default ${DEFAULT_PORT}, a free one if taken)`, port)
    .option('--no-serve', 'no status site (then approve with --approve or `uigate approve`)')
    .option('--json', 'print the outcome as JSON on stdout')
    .action(wire(async (flags) => (await import('./commands/pipeline.ts')).pipelineCommand(flags, io)));
}

/** Adds \`uigate baselines\`: a run's screenshot changes written as the new baselines. */
function addBaselines(cli: Command, io: CommandIO, wire: Wire) {
  cli
    .command('baselines')
    .description(
      "make a run's failed screenshot comparisons the new baselines, from the images it kept: each only while the file is still the one the run compared with (or missing); exit 1 if any is refused",
    )
    .requiredOption('--run <id>', 'the run whose screenshots become the baselines')
    .option('--write', 'write them (without it: say what would be written)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print the plan as one JSON object on stdout')
    .action(wire(async (flags) => (await import('./commands/baselines.ts')).baselinesCommand(flags, io)));
}

/** Adds the Lambda executor's local Invoke endpoint. */
function addLambda(cli: Command, io: CommandIO, wire: Wire) {
  const lambda = cli.command('lambda').description('the Lambda executor');
  lambda
    .command('serve')
    .description("serve Lambda's Invoke API on 127.0.0.1, running the real handler in child processes")
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--port <n>', `port (default ${DEFAULT_LAMBDA_PORT}; 0 picks a free one)`, port)
    .option(
      '--concurrency <n>',
      'invocations at once; more are throttled (429), as reserved concurrency does',
      positiveInt('--concurrency'),
    )
    .option('--timeout <seconds>', "the function's timeout (default 900)", positiveInt('--timeout'))
    .option('--function-name <name>', 'function name to answer to (default uigate-executor)')
    .action(wire(async (flags) => (await import('./commands/lambda-serve.ts')).lambdaServeCommand(flags, io)));
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const exit = { code: EXIT.ok as number };
  try {
    // Before any client is made: the region the AWS SDK itself would take, for all of them.
    await resolveRegion(io.env);
    await program(io, exit).parseAsync(playwrightAliases(argv), { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message; help and version are not errors.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUigateError(error)) {
      io.stderr.write(`uigate: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
