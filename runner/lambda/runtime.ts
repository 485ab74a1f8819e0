// A Lambda "container" for the local endpoint: a child process that loads the handler once and
// answers invocations sent over IPC, one at a time, like a warm Lambda execution environment.
import { pathToFileURL } from 'node:url';
import { siblingModule } from '../playwright/module-path.ts';
import { ENV } from '../core/env.ts';

type Handler = (
  event: unknown,
  context: { awsRequestId: string; getRemainingTimeInMillis(): number },
) => Promise<unknown>;

interface Invocation {
  requestId: string;
  payload: string;
  deadline: number;
}

const modulePath = process.env[ENV.lambdaHandlerModule] ?? siblingModule(import.meta.url, 'handler');
const { handler } = (await import(modulePath.startsWith('file:') ? modulePath : pathToFileURL(modulePath).href)) as {
  handler: Handler;
};

process.on('message', async (message: Invocation) => {
  const context = { awsRequestId: message.requestId, getRemainingTimeInMillis: () => message.deadline - Date.now() };
  try {
    const event: unknown = message.payload.length ? JSON.parse(message.payload) : {};
    const result = await handler(event, context);
    process.send!({ requestId: message.requestId, result: result === undefined ? null : result });
  } catch (error) {
    const e = error as Error;
    process.send!({
      requestId: message.requestId,
      error: {
        errorType: e?.name ?? 'Error',
        errorMessage: e?.message ?? String(error),
        trace: String(e?.stack ?? '').split('\n'),
      },
    });
  }
});
process.send!({ ready: true });
