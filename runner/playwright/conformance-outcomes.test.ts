// Conformance with plain Playwright (outcomes: expected failures, skips, retries and repeats): runner/testing/describe-conformance.ts.
import { describeConformance } from '../testing/describe-conformance.ts';

describeConformance(['test.fail, fixme, skip and slow', 'retries with a flaky test', 'repeatEach']);
