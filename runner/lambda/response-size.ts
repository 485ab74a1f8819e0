// A synchronous (RequestResponse) invocation answers at most 6 MB ("Invocation payload (request
// and response): 6 MB each for request and response (synchronous)", Lambda quotas); past it the
// caller gets ResponseSizeTooLarge and the batch's results are lost with it. A big batch of
// failing tests, each with a long error and stack, can get there. So the answer is made to fit,
// losing only what the store already has: a result the reporter stored (`stored: true`) is
// answered by its status alone, and an unstored one keeps its error clipped.
import type { UnitOutcome } from '../core/model.ts';
import type { BatchResponse } from './event.ts';

/** Below 6 MB with room for the invocation's own envelope. */
export const RESPONSE_LIMIT_BYTES = 5_500_000;
const CLIPPED = 4_000;

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

function clipped({ record, stored }: UnitOutcome): UnitOutcome {
  const error = record.error && {
    message: record.error.message.slice(0, CLIPPED),
    ...(record.error.stack ? { stack: record.error.stack.slice(0, CLIPPED) } : {}),
  };
  const attempts = record.attempts?.map((attempt) =>
    attempt.error ? { ...attempt, error: { message: attempt.error.message.slice(0, CLIPPED) } } : attempt,
  );
  return { stored, record: { ...record, ...(error ? { error } : {}), ...(attempts ? { attempts } : {}) } };
}

/** Keeps what the orchestrator still needs of a result it does not have to write: which unit, how it ended. */
function slim({ record, stored }: UnitOutcome): UnitOutcome {
  if (!stored) return { record, stored };
  const { error: _error, attempts: _attempts, attachments: _attachments, ...rest } = record;
  return { stored, record: rest };
}

export function fitResponse(response: BatchResponse, limit = RESPONSE_LIMIT_BYTES): BatchResponse {
  if (sizeOf(response) <= limit) return response;
  const clippedResponse = { ...response, results: response.results.map(clipped) };
  if (sizeOf(clippedResponse) <= limit) return clippedResponse;
  return { ...clippedResponse, results: clippedResponse.results.map(slim) };
}
