// What a release is promoted onto and rolled back on, behind one interface: a static site in S3
// (releases under versioned prefixes), a Lambda alias, or a local production folder. Which release
// is good is the store's business (releases.ts), never the target's.

/** What a release id or a target's name may be: it becomes a folder name or a key prefix. */
export const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface ProductionTarget {
  /** Stable name, stored with each release: `local:/path`, `s3://bucket`, `lambda:function:alias`. */
  readonly name: string;
  /** The release live now, if the target can tell. */
  live(): Promise<string | undefined>;
  /** Makes an already-staged release live. */
  publish(releaseId: string): Promise<void>;
}

/** A target that keeps releases it was given as a folder of files (the sites). */
export interface StagingTarget extends ProductionTarget {
  /**
   * Stores a release's files without making them live. Returns what the target knows the release
   * by when that is not the id it was given (a Lambda version number).
   */
  stage(releaseId: string, fromDir: string): Promise<string | void>;
}

export const canStage = (target: ProductionTarget): target is StagingTarget =>
  typeof (target as StagingTarget).stage === 'function';
