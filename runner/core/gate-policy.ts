// What a run must show before a release may be approved: the `gate` key of uigate.config.ts.
// A shape only: the config validates it (runner/config), the gate evaluates it (runner/gate).

export interface GatePolicy {
  /** Browsers (projects) the run must cover. */
  requiredProjects?: string[];
  /** Modules the run must cover. */
  requiredModules?: string[];
  /** Failed or errored units allowed. @default 0 */
  maxFailures?: number;
  /** Share of a browser's units that must pass (flaky and skipped count as passed), 0..1; one number for every browser, or per browser. */
  minPassRate?: number | Record<string, number>;
  /** Whether flaky passes are allowed at all, and how many. @default allowed, no limit */
  allowFlaky?: boolean;
  maxFlaky?: number;
  /** No unit may fail that passed in the last approved run. @default true */
  noNewFailures?: boolean;
  /**
   * No test that passed in the last approved run may be gone or skipped now: coverage does not
   * shrink unseen. Off by default, since a renamed test counts as lost (its key changes). @default false
   */
  noLostTests?: boolean;
  /** The run may take at most this long. */
  maxDurationMinutes?: number;
  /** The run ran every test: not narrowed by --module, --grep, --grep-invert or --shard. @default true */
  wholeSuite?: boolean;
  /**
   * A mono-repo's release: every component changed since the live production release has a
   * passing run that contains its newest change and ran its tests (plan/since-release.ts).
   * Skipped is not verified. @default false
   */
  componentsVerified?: boolean;
  /**
   * Screenshot changes are reviewed in the approval: a unit that failed for nothing but its
   * screenshot comparisons does not fail the gate; each change must be accepted or rejected
   * before the release can be approved, and one rejection rejects it. @default false
   */
  visualReview?: boolean;
}
