// Decisions on a run's screenshot changes, kept where only the approval side writes (APPROVAL#
// partitions, infra/README.md): one `approval-visual` event per change in the run, written once —
// the first decision on a change is the decision — and, for an accepted one, a `visual-accepted`
// event in the change's own ledger (its fingerprint), so the same change in another run shows as
// already accepted, by whom and where. The ledger is kept as long as results are (the store's
// retention): a change accepted longer ago than that is asked about again, never waved through.
import type { RunEvent, RunMeta } from '../core/model.ts';
import type { ResultStore } from '../store/result-store.ts';
import {
  describeItem,
  reviewed,
  visualItems,
  type ReviewedItem,
  type VisualDecision,
  type VisualItem,
} from './visual-review.ts';

/** The pseudo run id whose events are a fingerprint's ledger. */
export const visualLedger = (fingerprint: string): string => `VISUAL-${fingerprint}`;

/** Reads the stored images of a run's artifacts; throws when one cannot be read. */
export type ImageReader = (key: string) => Promise<Buffer>;

const decisionsIn = (events: readonly RunEvent[], type: 'approval-visual' | 'visual-accepted'): VisualDecision[] =>
  events.filter((event) => event.type === type).map((event) => event.detail as unknown as VisualDecision);

/**
 * The run's screenshot changes, each with its decision here or its acceptance elsewhere. `items`:
 * the changes as fingerprinted already (a page that only shows them); a decision always reads the
 * images again.
 */
export async function loadVisualReview(
  store: ResultStore,
  run: RunMeta,
  read: ImageReader,
  known?: Promise<VisualItem[]>,
): Promise<ReviewedItem[]> {
  const items = await (known ?? visualItems(await store.getUnits(run.runId), read));
  if (items.length === 0) return [];
  const here = decisionsIn(await store.listEvents(run.runId), 'approval-visual');
  const fingerprints = [...new Set(items.map((item) => item.fingerprint))];
  const ledgers = await Promise.all(fingerprints.map((fp) => store.listEvents(visualLedger(fp))));
  return reviewed(
    items,
    here,
    ledgers.flatMap((events) => decisionsIn(events, 'visual-accepted')),
  );
}

/** Which changes a person asked to accept and reject: `all` for every one still undecided. */
export interface VisualAnswer {
  accept?: 'all' | string[];
  reject?: string[];
}

/** Names the changes an answer is about, refusing a fingerprint that is not one of the run's. */
export function answered(
  items: readonly ReviewedItem[],
  answer: VisualAnswer,
): { accept: ReviewedItem[]; reject: ReviewedItem[] } | { refused: string } {
  const byFingerprint = new Map(items.map((item) => [item.fingerprint, item]));
  const named = (fingerprints: readonly string[]) => fingerprints.map((fp) => byFingerprint.get(fp) ?? fp);
  const reject = named(answer.reject ?? []);
  const accept =
    answer.accept === 'all'
      ? items.filter((item) => !item.decided && !(answer.reject ?? []).includes(item.fingerprint))
      : named(answer.accept ?? []);
  const unknown = [...accept, ...reject].find((item): item is string => typeof item === 'string');
  if (unknown)
    return {
      refused: `no screenshot change ${unknown.slice(0, 40)} in this run: the run page (or uigate approve --json) lists each change's fingerprint`,
    };
  const both = (accept as ReviewedItem[]).find((item) => (reject as ReviewedItem[]).includes(item));
  if (both) return { refused: `${describeItem(both)} is both accepted and rejected: choose one` };
  return { accept: accept as ReviewedItem[], reject: reject as ReviewedItem[] };
}

/** Who decided, as the vote that carries the decisions names them. */
export interface Decider {
  approver: string;
  person: string;
  comment: string;
  at: Date;
}

/**
 * Records the decisions, each once: a change someone decided first keeps that decision (a second
 * answer changes nothing). Returns the changes whose decision this call wrote.
 */
export async function recordVisualDecisions(
  store: ResultStore,
  run: RunMeta,
  chosen: { accept: readonly VisualItem[]; reject: readonly VisualItem[] },
  who: Decider,
): Promise<VisualItem[]> {
  const written: VisualItem[] = [];
  const decisions = [
    ...chosen.accept.map((item) => [item, 'accepted'] as const),
    ...chosen.reject.map((item) => [item, 'rejected'] as const),
  ];
  for (const [item, decision] of decisions) {
    const detail: VisualDecision & Record<string, unknown> = {
      fingerprint: item.fingerprint,
      decision,
      approver: who.approver,
      person: who.person,
      at: who.at.toISOString(),
      runId: run.runId,
      comment: who.comment,
      test: item.test,
      project: item.project,
      baseline: item.baseline,
      commit: run.commit ?? 'unknown',
      ...(run.artifactDigest ? { artifactDigest: run.artifactDigest } : {}),
    };
    const event = { at: detail.at, actor: who.approver, detail };
    const first = await store.addEvent(
      { ...event, runId: run.runId, type: 'approval-visual' },
      { once: `visual#${item.fingerprint}` },
    );
    if (!first) continue;
    written.push(item);
    if (decision === 'accepted')
      await store.addEvent(
        { ...event, runId: visualLedger(item.fingerprint), type: 'visual-accepted' },
        { once: `accepted#${run.runId}` },
      );
  }
  return written;
}
