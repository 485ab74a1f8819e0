// Conformance with plain Playwright (Playwright's groups: serial suites, default-mode files): runner/testing/describe-conformance.ts.
// Each file stays within the test runner's five-minute limit per file (scripts/test.js).
import { describeConformance } from '../testing/describe-conformance.ts';

describeConformance([
  'serial groups with shared state',
  'default-mode files keep their tests in order, with beforeAll state',
]);
