import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addReporter } from './reporter-edit.ts';

const edited = (text: string) => {
  const result = addReporter(text);
  assert.equal(result.kind, 'edited', JSON.stringify(result));
  return (result as { text: string }).text;
};

describe('adding the uigate reporter to a Playwright config', () => {
  it('turns a reporter name into a list of it and uigate', () => {
    const text = `import { defineConfig, devices } from '@playwright/test';\nexport default defineConfig({\n  testDir: './e2e',\n  reporter: 'html',\n  use: { baseURL: 'http://localhost:3000' },\n});\n`;
    assert.equal(edited(text), text.replace(`reporter: 'html',`, `reporter: [['html'], ['uigate/reporter']],`));
  });

  it('appends to a list of reporters, one line or several', () => {
    assert.match(
      edited(`export default defineConfig({ reporter: [['list'], ['json', { outputFile: 'r.json' }]] });`),
      /reporter: \[\['list'\], \['json', \{ outputFile: 'r\.json' \}\], \['uigate\/reporter'\]\] \}\);$/,
    );
    const multi = `export default defineConfig({\n  reporter: [\n    ['html', { open: 'never' }],\n    ['list'],\n  ],\n  workers: 2,\n});\n`;
    assert.equal(
      edited(multi),
      `export default defineConfig({\n  reporter: [\n    ['html', { open: 'never' }],\n    ['list'],\n    ['uigate/reporter'],\n  ],\n  workers: 2,\n});\n`,
    );
  });

  it("adds Playwright's default reporters and uigate's where there is no reporter", () => {
    const text = `import { defineConfig } from '@playwright/test';\n\nexport default defineConfig({\n  testDir: './tests',\n  projects: [{ name: 'chromium', use: { reporter: 'nope' } }],\n});\n`;
    assert.match(
      edited(text),
      /defineConfig\(\{\n {2}reporter: \[\[process\.env\.CI \? 'dot' : 'list'\], \['uigate\/reporter'\]\],\n {2}testDir/,
    );
  });

  it('finds the config in CommonJS, in a named object, and past strings, comments and regular expressions', () => {
    assert.match(
      edited(
        `const { defineConfig } = require('@playwright/test');\nmodule.exports = defineConfig({ reporter: 'dot' });\n`,
      ),
      /reporter: \[\['dot'\], \['uigate\/reporter'\]\]/,
    );
    const named = `import type { PlaywrightTestConfig } from '@playwright/test';\nconst config: PlaywrightTestConfig = {\n  testMatch: /.*\\.(spec|e2e)\\.[tj]s/, // reporter: 'x'\n  /* reporter: [] */ reporter: 'line',\n  metadata: { note: "a { brace } and a 'reporter: ' in a string" },\n};\nexport default config;\n`;
    assert.match(edited(named), /\/\* reporter: \[\] \*\/ reporter: \[\['line'\], \['uigate\/reporter'\]\],/);
  });

  it('leaves a config that already has it alone', () => {
    assert.deepEqual(addReporter(`export default defineConfig({ reporter: [['list'], ['uigate/reporter']] });`), {
      kind: 'unchanged',
    });
  });

  it('says so, rather than guess, where the reporter is computed or the config is not one object', () => {
    assert.equal(
      addReporter(`export default defineConfig({ reporter: process.env.CI ? 'github' : 'list' });`).kind,
      'manual',
    );
    assert.equal(addReporter(`export default defineConfig({ ...base, testDir: 'x' });`).kind, 'manual');
    assert.equal(addReporter(`export default makeConfig();`).kind, 'manual');
  });
});
