// The one way the status site refuses a request: throw an HttpError with the status and the one
// line a person reads; the app answers it as `{ error }` JSON in one place (app.ts onError).
// Anything else that escapes is a bug, answered 500 without its details.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws the refusal: for routes that read better as `return refuse(…)`. */
export function refuse(status: ContentfulStatusCode, message: string): never {
  throw new HttpError(status, message);
}
