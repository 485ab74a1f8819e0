// Conformance with plain Playwright (Playwright's groups: serial suites, default-mode files, parallel tests, .only and --grep): runner/testing/describe-conformance.ts.
import { describeConformance } from '../testing/describe-conformance.ts';

describeConformance([
  'serial groups with shared state',
  'default-mode files keep their tests in order, with beforeAll state',
  'fullyParallel, with serial groups and beforeAll hooks inside',
  '.only',
  'tags and --grep',
]);
