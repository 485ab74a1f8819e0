// A release's screenshot changes as the approval reviews them (runner/gate/visual-review.ts makes
// them; the status page shows them). Types only: the page bundles this.
import type { ExecutorName, VisualChange } from './model.ts';

/** One screenshot change, one browser: what a person accepts or rejects. */
export interface VisualItem {
  fingerprint: string;
  unitKey: string;
  project: string;
  /** The test's title path, joined with ` › `. */
  test: string;
  file: string;
  /** The snapshot's name without its project suffix: the row several browsers share. */
  screenshot: string;
  baseline: string;
  kind: VisualChange['kind'];
  pixels?: number;
  ratio?: number;
  expectedSha?: string;
  actualSha: string;
  /** The stored images' keys in the artifact store. */
  images: { expected?: string; actual: string; diff?: string };
  executor?: ExecutorName;
  /** The unit failed for nothing but its screenshots: a change a person may accept. */
  visualOnly: boolean;
}

/** How a decision on a change was made, and where. */
export interface VisualDecision {
  fingerprint: string;
  decision: 'accepted' | 'rejected';
  approver: string;
  person?: string;
  at: string;
  /** The run it was decided in. */
  runId: string;
  comment?: string;
}

/** A change with what was decided of it: in this run, or already in another one. */
export interface ReviewedItem extends VisualItem {
  decided?: VisualDecision;
  /** Accepted in an earlier run (the same images): no decision is needed again. */
  alreadyAccepted?: VisualDecision;
}
