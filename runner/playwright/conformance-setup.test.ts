// Conformance with plain Playwright (what runs around the tests: setup and teardown projects, webServer, globalSetup): runner/testing/describe-conformance.ts.
import { describeConformance } from '../testing/describe-conformance.ts';

describeConformance([
  'a setup project and its teardown',
  'a failing setup project skips its dependents',
  'a webServer',
  'globalSetup and globalTeardown',
]);
