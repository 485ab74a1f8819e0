// A handler that does nothing, for measuring what an invocation through the local endpoint
// costs on top of the work itself.
export async function handler(event: { units?: unknown[] }, context: { awsRequestId: string }) {
  return { ok: true, requestId: context.awsRequestId, results: [], units: event.units?.length ?? 0 };
}
