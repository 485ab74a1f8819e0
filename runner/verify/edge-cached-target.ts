// A site behind a CDN that may have cached its entry documents (a team's distribution whose policy
// ignores `no-cache`, or what an edge kept from before): publishing a release — a promotion or a
// rollback — is complete only when the CDN has dropped every URL whose answer changed. Until then
// viewers could still get the release before, and a bake would measure it.
import type { EdgeCache } from './cloudfront-invalidation.ts';
import { entryPaths } from './cache-control.ts';
import type { StagingTarget } from './production-target.ts';

/** A target that can say which files a release it keeps has. */
export interface ListingTarget extends StagingTarget {
  files(releaseId: string): Promise<string[]>;
}

export class EdgeCachedTarget implements StagingTarget {
  readonly name: string;

  constructor(
    private readonly target: ListingTarget,
    private readonly edge: EdgeCache,
    /** Where a line about each invalidation goes (the terminal's stderr). */
    private readonly report: (line: string) => void = () => {},
  ) {
    this.name = target.name;
  }

  live(): Promise<string | undefined> {
    return this.target.live();
  }

  stage(releaseId: string, fromDir: string): Promise<string | void> {
    return this.target.stage(releaseId, fromDir);
  }

  /** Publishes, then invalidates the entry paths of both the release before and this one. */
  async publish(releaseId: string): Promise<void> {
    const before = await this.target.live();
    const files = await this.target.files(releaseId);
    const old = before && before !== releaseId ? await this.target.files(before).catch(() => undefined) : [];
    await this.target.publish(releaseId);
    // The release before is not readable (discarded, or kept elsewhere): which of its URLs are
    // cached is unknown, so all of them go.
    const paths = old ? entryPaths([...files, ...old]) : ['/*'];
    if (paths.length === 0) return;
    const id = await this.edge.invalidate(paths, `uigate-${releaseId}-${Date.now()}`);
    this.report(
      `${this.edge.name}: invalidation ${id} of ${paths.length === 1 ? paths[0] : `${paths.length} entry paths`} completed`,
    );
  }
}
