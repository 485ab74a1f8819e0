// The contract with Playwright, run as a test: for each fixture project, every test's status under
// `uigate run` equals its status under plain `npx playwright test` — through the local executor
// and, for chromium, through the Lambda executor (the real handler behind uigate's local Invoke
// endpoint). Split over three files so each stays well inside a file's time limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalEndpoint, type LocalEndpoint } from '../lambda/local-endpoint.ts';
import { conformanceProject, differences, type ConformanceProject, type Statuses } from './conformance.ts';
import { FIXTURES } from './conformance-fixtures.ts';

/** On uigate's local endpoint every "execution environment" shares this machine (in AWS each has its own). */
const SHARES_THE_MACHINE = new Set([
  'a webServer',
  'globalSetup and globalTeardown',
  'a setup project and its teardown',
]);

/** Declares the conformance tests of these fixtures. */
export function describeConformance(names: readonly (keyof typeof FIXTURES)[]): void {
  for (const name of names) {
    const fixture = FIXTURES[name]!;
    describe(`conformance: ${name}`, () => {
      let project: ConformanceProject;
      let plain: Statuses;
      let endpoint: LocalEndpoint | undefined;

      before(async () => {
        project = await conformanceProject(fixture);
        ({ statuses: plain } = await project.plain(fixture.args));
        assert.ok(plain.size > 0, 'plain Playwright ran no tests');
      });
      after(async () => {
        await endpoint?.close();
        await project.remove();
      });

      it('every test has the same status under uigate run (local executor) as under plain Playwright', async () => {
        const { statuses, result } = await project.viaUigate(fixture.args ?? []);
        assert.deepEqual(differences(plain, statuses), [], result.stderr.slice(-3000));
        // Exit codes agree on pass and fail (uigate: 0 passed, 1 failed).
        const failed = [...plain.values()].includes('failed');
        assert.equal(result.code, failed ? 1 : 0, result.stderr.slice(-2000));
      });

      it('and through the Lambda executor', async () => {
        const concurrency = SHARES_THE_MACHINE.has(name) ? 1 : 3;
        endpoint = await startLocalEndpoint({
          functionName: 'uigate-executor',
          concurrency,
          timeoutSeconds: 300,
          taskRoot: project.dir,
        });
        const args = [
          '--executor',
          'lambda',
          '--lambda-endpoint',
          endpoint.url,
          '--lambda-concurrency',
          String(concurrency),
          ...(fixture.args ?? []),
        ];
        const { statuses, result } = await project.viaUigate(args, { home: '.uigate-lambda' });
        assert.deepEqual(differences(plain, statuses), [], result.stderr.slice(-3000));
        // Batches from several environments, each with the suite in its own /tmp: still one report.
        assert.doesNotMatch(result.stderr, /no Playwright HTML report/);
      });
    });
  }
}
