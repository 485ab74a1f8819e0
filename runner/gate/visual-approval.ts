// The visual review's part in a vote (approvals.ts): the approver's answers on the run's screenshot
// changes recorded first, then what they mean for the vote — an approval needs every change
// decided (here, or accepted before), and one rejected change rejects the release, with that
// change as the reason. Fails closed: where the run's images cannot be read, nothing is decided.
import type { RunMeta } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import {
  answered,
  loadVisualReview,
  recordVisualDecisions,
  type ImageReader,
  type VisualAnswer,
} from './visual-decisions.ts';
import { describeItem, rejectedIn, undecided, type ReviewedItem } from './visual-review.ts';

export interface VisualStepInput {
  store: ResultStore;
  run: RunMeta;
  approver: string;
  person: string;
  comment: string;
  visual?: VisualAnswer;
  images?: ImageReader;
  now: Date;
}

export type VisualStep = { refused: { status: 409 | 502; reason: string } } | { items: ReviewedItem[] };

/** Records the approver's answers on the run's screenshot changes; returns every change as it now stands. */
export async function applyVisualAnswer(input: VisualStepInput): Promise<VisualStep> {
  const { store, run, images } = input;
  if (!images)
    return {
      refused: {
        status: 409,
        reason:
          "this approval cannot read the run's screenshots, so its visual changes cannot be decided here: decide on the run page, or with uigate approve where the artifacts are readable",
      },
    };
  let items: ReviewedItem[];
  try {
    items = await loadVisualReview(store, run, images);
  } catch (error) {
    return {
      refused: {
        status: 502,
        reason: `the run's screenshots could not be checked (${(error as Error).message}): nothing is decided without them`,
      },
    };
  }
  if (!input.visual) return { items };
  const chosen = answered(items, input.visual);
  if ('refused' in chosen) return { refused: { status: 409, reason: chosen.refused } };
  if (chosen.accept.length === 0 && chosen.reject.length === 0) return { items };
  const who = { approver: input.approver, person: input.person, comment: input.comment, at: input.now };
  await recordVisualDecisions(store, run, chosen, who);
  return { items: await loadVisualReview(store, run, images) };
}

/** What a vote becomes once the changes are decided: a rejection's reason, or why an approval must wait. */
export function visualVerdict(
  items: readonly ReviewedItem[],
  runId: string,
): { rejection?: string; waiting?: string; accepted: string[] } {
  const rejected = rejectedIn(items);
  if (rejected.length)
    return {
      rejection: `screenshot change rejected: ${describeItem(rejected[0]!)}${rejected.length > 1 ? ` and ${rejected.length - 1} more` : ''}`,
      accepted: [],
    };
  const open = undecided(items);
  if (open.length)
    return {
      waiting: `${open.length} screenshot change${open.length === 1 ? ' has' : 's have'} no decision yet (${describeItem(open[0]!)}${open.length > 1 ? ', …' : ''}): accept or reject each on the run page, or uigate approve --run ${runId} --accept-visual all`,
      accepted: [],
    };
  return { accepted: items.map((item) => item.fingerprint) };
}
