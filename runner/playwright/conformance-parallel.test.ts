// Conformance with plain Playwright (parallel tests, .only and --grep): runner/testing/describe-conformance.ts.
import { describeConformance } from '../testing/describe-conformance.ts';

describeConformance(['fullyParallel, with serial groups and beforeAll hooks inside', '.only', 'tags and --grep']);
