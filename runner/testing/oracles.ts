// Which test files used which AWS oracle, and which had to skip it: `npm test` (scripts/test.js)
// names a file in UIGATE_ORACLE_LOG and prints the counts at the end, so a run that quietly
// skipped the emulator shows it.
import { appendFileSync } from 'node:fs';

export type Oracle = 'moto_server' | 'cfn-lint' | "botocore's models";

/** Notes that this test file ran (or skipped) the tests that need `oracle`. */
export function recordOracle(oracle: Oracle, ran: boolean): void {
  const log = process.env.UIGATE_ORACLE_LOG;
  if (!log) return;
  appendFileSync(log, `${JSON.stringify({ oracle, ran, file: process.argv[1] })}\n`);
}
