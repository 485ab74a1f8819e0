// Does the deployed executor start its browser? Invokes it with the probe event (lambda/event.ts):
// it launches @sparticuz/chromium and opens a page exactly as before a batch, and runs no test.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PROBE_EVENT, type ProbeResponse } from '../lambda/event.ts';
import { failed, passed, type Check } from './check.ts';

export const executorChromiumCheck = (lambda: LambdaClient, functionName: string): Check => ({
  name: 'Lambda executor starts Chromium',
  async run() {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(PROBE_EVENT)) }),
    );
    const text = new TextDecoder().decode(response.Payload ?? new Uint8Array());
    const logs = `see its logs: aws logs tail /aws/lambda/${functionName} --since 10m`;
    if (response.FunctionError)
      return failed(
        `${functionName} failed (${response.FunctionError}): ${text.slice(0, 300)}`,
        `the package must be built for linux-x64 (npm run build:lambda) with 3 GB of memory; ${logs}`,
      );
    let answer: ProbeResponse | undefined;
    try {
      answer = JSON.parse(text) as ProbeResponse;
    } catch {
      answer = undefined;
    }
    if (answer?.probe !== 'chromium')
      return failed(
        `${functionName} did not answer the probe: ${text.slice(0, 200)}`,
        'deploy the function from this version of uigate (cdk deploy), which answers the doctor’s probe',
      );
    if (!answer.ok)
      return failed(
        `${functionName}: ${answer.error.message}`,
        `Chromium did not open a page in the function; ${logs}. If it hangs at newPage, raise memorySize and report it: uigate drops --single-process`,
      );
    return passed(
      `${functionName} opened a page with Chromium ${answer.browserVersion} (${answer.ms} ms in the function)`,
    );
  },
});
