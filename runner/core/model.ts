// The domain of DESIGN.md as types: run, unit, attempt, event. The store, reporter, dispatcher,
// status site and gate all speak these.
import { UsageError } from './errors.ts';
import type { RunEventType } from './events.ts';

export type UnitStatus =
  'queued' | 'running' | 'retrying' | 'passed' | 'flaky' | 'failed' | 'skipped' | 'errored' | 'cancelled';

export type RunStatus = 'running' | 'passed' | 'failed' | 'errored' | 'cancelled';
export type ExecutorName = 'local' | 'lambda' | 'codebuild';

/** One test case in one project, as planned. Its key is stable across runs. */
export interface UnitRef {
  key: string;
  /** Path relative to Playwright's testDir, with forward slashes. */
  file: string;
  line: number;
  column: number;
  /** describe titles and the test title; not the file or the project. */
  titlePath: string[];
  project: string;
  module: string;
  tags?: string[];
  /** Playwright's repeatEachIndex, when the project repeats each test; absent for the first. */
  repeat?: number;
  /**
   * The piece it is dispatched in: Playwright's test group (a serial suite, a default-mode file,
   * a parallel test), joined with whatever must run beside it. Units of one piece share a batch.
   */
  group?: string;
  /** A test of a setup or teardown project: it runs wherever its dependents run, never on its own. */
  role?: 'dependency';
}

export interface UnitError {
  message: string;
  stack?: string;
}

export interface Attachment {
  name: string;
  contentType: string;
  /** Where the artifact store keeps it: a key under the run's artifact folder. */
  path: string;
  /** The attempt it came from (Playwright's retry + 1); absent in records from before it was kept. */
  attempt?: number;
}

/** A failed screenshot comparison: the baseline in the repository and the images the run kept. */
export interface VisualChange {
  /** The snapshot's name as Playwright attaches it, without `-actual`: `home-chromium-linux.png`. */
  name: string;
  /** The baseline's path relative to the project's folder, `/`-separated. */
  baseline: string;
  /** `new`: no baseline existed; `changed`: the page differs from it. */
  kind: 'new' | 'changed';
  /** Playwright's count and share of differing pixels; absent for a new baseline or a size change. */
  pixels?: number;
  ratio?: number;
  /** The images: keys in the artifact store once the reporter saved them (attachment names before). */
  expected?: string;
  actual: string;
  diff?: string;
  /**
   * The images' sha-256 as the executor read them. Never trusted: the approval side hashes the
   * stored bytes itself, and refuses a review where they differ from these.
   */
  expectedSha?: string;
  actualSha?: string;
}

/** One try of a unit. */
export interface AttemptRecord {
  attempt: number;
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  durationMs: number;
  error?: UnitError;
}

export interface UnitRecord extends UnitRef {
  runId: string;
  status: UnitStatus;
  /**
   * Write order: dispatch try × 1000 + Playwright retry. A write with a lower seq never lands on
   * top of a higher one, so late or repeated deliveries cannot regress a result.
   */
  seq: number;
  /** Attempts made so far (Playwright retries + 1). */
  attempt: number;
  attempts?: AttemptRecord[];
  durationMs?: number;
  error?: UnitError;
  attachments?: Attachment[];
  executor?: ExecutorName;
  /** Its final attempt's failed screenshot comparisons (playwright/visual-changes.ts). */
  visual?: VisualChange[];
  /** Every error of its final attempt was such a comparison: an intended change a person may accept. */
  visualOnly?: true;
  /** Batch id, Lambda request id or CodeBuild build id that ran it. */
  executorRef?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** A unit's final record, and whether the executor side already wrote it to the store. */
export interface UnitOutcome {
  record: UnitRecord;
  stored: boolean;
}

export type StatusCounts = Partial<Record<UnitStatus, number>>;

export interface RunMeta {
  runId: string;
  status: RunStatus;
  trigger: string;
  commit?: string;
  branch?: string;
  /** The commit's author, "Name <email>": separation of duties keeps them from approving it. */
  author?: string;
  /** The commit's committer and Co-authored-by trailers, "Name <email>": held to the same rule. */
  contributors?: string[];
  /** Digest of the artifact that would be promoted (UIGATE_ARTIFACT_DIGEST), bound into approvals. */
  artifactDigest?: string;
  /** The CodePipeline execution that ran this (UIGATE_PIPELINE_EXECUTION_ID). */
  pipelineExecutionId?: string;
  /** The pipeline's name (UIGATE_PIPELINE_NAME), for the messages that follow it. */
  pipelineName?: string;
  /** The commit's subject line (UIGATE_COMMIT_MESSAGE, else git), for messages people read. */
  commitMessage?: string;
  baseURL?: string;
  /** How the run was narrowed (`--module`, `--project`, `--grep`…); absent: every test was selected. */
  selection?: RunSelection;
  projects: string[];
  modules: string[];
  executors: ExecutorName[];
  total: number;
  counts: StatusCounts;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** Why the run ended as it did, when that is not just its counts. */
  reason?: string;
  /**
   * The last sign of life of the process running it (every HEARTBEAT_MS while it runs): a run
   * `running` without one for three beats has lost its process (statuses.ts, isLost).
   */
  heartbeatAt?: string;
  /** Exempt from retention: someone decided on it (ResultStore.keepRun). */
  kept?: true;
  /** Playwright's HTML report of the whole run, relative to the artifacts' root (`<runId>/report/index.html`). */
  htmlReport?: string;
  /** A mono-repo's changes since the live production release, and whether a passing run covers each (plan/since-release.ts). */
  sinceRelease?: SinceRelease;
}

/** What changed since the release live in production, by component, and which runs cover it. */
export interface SinceRelease {
  /** The live release compared with; absent when nothing was released yet. */
  release?: { target: string; releaseId: string; runId: string; commit: string };
  /** The commits since it, newest first (at most 50 listed), with the components each touched. */
  commits: { commit: string; subject: string; components: string[] }[];
  /** Each touched component: its newest change, and the newest run containing it that tested it. */
  components: {
    name: string;
    lastChange: string;
    state: 'passed' | 'failed' | 'never run';
    runId?: string;
  }[];
  /** Why nothing could be said (the release's commit not in the clone, no git): the rule fails closed. */
  unknown?: string;
}

export interface RunSelection {
  modules?: string[];
  projects?: string[];
  grep?: string;
  grepInvert?: string;
  /** Playwright's `--shard`, "2/4". */
  shard?: string;
  /** Playwright's file filters, as given: `checkout.spec.ts:12`, `e2e/cart`. */
  files?: string[];
  /** Playwright's `--only-changed`: the tests of files changed since this ref (true: since HEAD). */
  onlyChanged?: string | true;
  /** Playwright's `--last-failed`: only the tests that failed in its last run here. */
  lastFailed?: true;
  /** `--changed`: only what a mono-repo change since this merge base needs (run/changed.ts). */
  changedSince?: string;
  /** `--changed`: the components whose tests it ran, each verified by the run if it passes. */
  components?: string[];
  /** A plain `npx playwright test`: whatever file or --grep filter it had is not visible to a reporter. */
  unseen?: true;
  /** `--rerun-failed`: only the units that did not pass in this run. */
  rerunOf?: string;
  /** A `.only` in the suite: Playwright ran only the focused tests. */
  focused?: true;
  /** Playwright's `-u`: its screenshots were written, not compared, so they proved nothing. */
  updateSnapshots?: 'all' | 'changed' | 'missing';
}

export interface RunEvent {
  runId: string;
  at: string;
  type: RunEventType;
  actor?: string;
  detail?: Record<string, unknown>;
}

export type ReleaseStatus = 'promoted' | 'verified' | 'failed';

/** A release made live on a production target, and how its bake went. */
export interface Release {
  /** The production target, e.g. `local:/srv/prod`, `s3://bucket`, `lambda:fn:live`. */
  target: string;
  /** What the target knows it by: the approved run's id for sites, a version for a Lambda alias. */
  releaseId: string;
  runId: string;
  commit?: string;
  status: ReleaseStatus;
  promotedAt: string;
  updatedAt: string;
  reason?: string;
  /** A failed release's alarm: the one that went off in its bake. */
  alarm?: string;
  /** Where a failed release was rolled back to: that release is live again. Absent: it stayed live. */
  rolledBackTo?: string;
  /** The rollback was tried and failed: the failed release may still be live. */
  rollbackError?: string;
  /** The smoke runs that failed during its bake, newest last: the evidence behind the alarm. */
  smokeRuns?: string[];
}

/** Run ids sort by time: 20261122T185625123Z-k3f9 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{9}Z-[a-z0-9]{4}$/;

/** A run id given on the command line, or UsageError naming the flag it came with. */
export function parseRunId(value: string, flag = '--run'): string {
  if (!RUN_ID_PATTERN.test(value))
    throw new UsageError(
      `malformed run id "${value.slice(0, 80)}" (${flag}): run ids look like 20261122T185625123Z-k3f9`,
    );
  return value;
}

export const titleOf = (unit: Pick<UnitRef, 'titlePath'>) => unit.titlePath.join(' › ');
