// A unit record's write order, `seq`: the dispatch try × 1000 + Playwright's retry. The store
// writes a unit only over a lower seq, so a late or repeated delivery never lands on a newer
// result. Its encoding and decoding, beside each other.

/** The seq of one attempt: Playwright's `retry` of dispatch try `dispatch`. */
export const seqOf = (dispatch: number, retry: number): number => dispatch * 1000 + retry;

/** The dispatch try a seq was written in. */
export const dispatchOf = (seq: number): number => Math.floor(seq / 1000);

/** The first seq of a dispatch try: anything below it was written by an earlier try. */
export const firstSeqOf = (dispatch: number): number => seqOf(dispatch, 0);

/** A close's seq: above every Playwright retry of the dispatch try it follows. */
export const closingSeq = (lastDispatch: number): number => seqOf(lastDispatch, 999);
