// One config for the tests and the pipelines: infra/app.mjs imports it, so the paths that start a
// component's pipeline are the paths `uigate run --changed` maps to that component's tests.
import { defineConfig } from 'uigate';

export default defineConfig({
  components: {
    web: { paths: ['apps/web/**'], tests: { grep: '@web' } },
    checkout: { paths: ['apps/checkout/**'], tests: { grep: '@checkout' } },
  },
  changes: {
    // Besides the lockfiles, playwright.config.* and uigate.config.*: the build and the test helpers.
    global: ['scripts/**', 'tests/support/**'],
    // The smoke tests run whatever changed.
    always: { grep: '@smoke' },
    // infra/, the README: changes no component owns start every component's pipeline.
    unmapped: 'all',
  },
  gate: { wholeSuite: true },
});
